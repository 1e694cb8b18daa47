"""What a complaint is about, from its subject and text: a small linear model (pure).

One multinomial logistic regression for all four languages over hashed features of the
folded text (accents, case and final sigma folded by :func:`amends.text.fold.fold_words`):
words, word pairs, and character 3- to 5-grams. The character n-grams are what make it
work without a word segmenter for Thai and without a stemmer for Slovak and Greek
inflection ("zásielka", "zásielku", "zásielky" share most of their n-grams).

The weights are trained by ``scripts/train_categories.py`` from the labelled training
complaints alone and kept in ``category_weights.npz`` next to this module; only the rows
of features that occurred in training are stored (the rest are zero). Scoring a message
costs well under a millisecond: the character n-grams are hashed with numpy, not one
by one in Python.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

from amends.text.fold import fold_words

WEIGHTS = Path(__file__).with_name("category_weights.npz")
DIMENSIONS = 1 << 18
CHAR_SIZES = (3, 4, 5)
# Words and pairs weigh as much as the character n-grams together: both groups are
# scaled to unit length, then added.
WORD_WEIGHT = 1.0
CHAR_WEIGHT = 1.0
# Below this probability the best category is not trusted and the complaint stays
# "other" for a person to sort. Chosen on the training data: the highest threshold that
# costs no cross-validated accuracy (scripts/train_categories.py --folds 5 reports each);
# at 0.25 a third of the right Thai guesses would be thrown away. A guess groups no
# cases on its own (patterns.service._kind), so a wrong one costs an agent's click.
MIN_CONFIDENCE = 0.15
FALLBACK = "other"
# The opening of a complaint says what it is about; a long thread's quoted tail would
# only cost time.
MAX_CHARS = 2000

_MULTIPLIER = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(29)
_SALTS = {n: np.uint64(n * 0x51ED27) for n in CHAR_SIZES}
_WORD_SALT = 0x5D0
_PAIR_SALT = 0xB16


@dataclass(frozen=True)
class Guess:
    """The category a text most likely has, and the model's probability for it."""

    category: str
    confidence: float
    best: str  # the model's top category, even when too unsure to be used


def features(subject: str, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """(sorted feature indices, values) of one complaint, each group scaled to unit length."""
    folded = fold_words(f"{subject}\n{text}"[:MAX_CHARS])
    words = folded.split()
    word_ids = [zlib.crc32(w.encode(), _WORD_SALT) for w in words]
    word_ids += [zlib.crc32(f"{a} {b}".encode(), _PAIR_SALT) for a, b in pairwise(words)]
    word_index = np.asarray(word_ids, dtype=np.uint64) % np.uint64(DIMENSIONS)
    char_index = _char_ngrams(f" {folded} ")
    return _combine(word_index, WORD_WEIGHT, char_index, CHAR_WEIGHT)


def _char_ngrams(text: str) -> npt.NDArray[np.uint64]:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    parts = []
    for n in CHAR_SIZES:
        count = len(codes) - n + 1
        if count <= 0:
            continue
        # A polynomial hash of each window, wrapping at 64 bits, then mixed so that the
        # low bits (the index) depend on every character.
        h = np.zeros(count, dtype=np.uint64)
        for k in range(n):
            h = h * _MULTIPLIER + codes[k : k + count]
        h = (h ^ _SALTS[n]) * _MIX
        parts.append((h ^ (h >> _SHIFT)) % np.uint64(DIMENSIONS))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _combine(
    a: npt.NDArray[np.uint64], a_weight: float, b: npt.NDArray[np.uint64], b_weight: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    indices: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float32]] = []
    for group, weight in ((a, a_weight), (b, b_weight)):
        if not len(group):
            continue
        unique, counts = np.unique(group.astype(np.int64), return_counts=True)
        # Counts are dampened: a word said five times is not five times the evidence.
        value = np.log1p(counts.astype(np.float32))
        indices.append(unique)
        values.append(value * np.float32(weight / float(np.linalg.norm(value))))
    if not indices:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(indices), np.concatenate(values)


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    weights: npt.NDArray[np.float32]  # DIMENSIONS x labels (dense in memory: 8 MB)
    bias: npt.NDArray[np.float32]

    def probabilities(self, subject: str, text: str) -> npt.NDArray[np.float32]:
        index, value = features(subject, text)
        scores = self.bias + value @ self.weights[index]
        scores = np.exp(scores - scores.max())
        return np.asarray(scores / scores.sum(), dtype=np.float32)

    def guess(self, subject: str, text: str) -> Guess:
        probabilities = self.probabilities(subject, text)
        top = int(probabilities.argmax())
        best, confidence = self.labels[top], float(probabilities[top])
        category = best if confidence >= MIN_CONFIDENCE else FALLBACK
        return Guess(category, round(confidence, 3), best)


def load(path: Path = WEIGHTS) -> Model:
    """The model stored at ``path``: sparse rows of float16 weights made dense."""
    with np.load(path) as stored:
        labels = tuple(str(label) for label in stored["labels"])
        weights = np.zeros((DIMENSIONS, len(labels)), dtype=np.float32)
        weights[stored["rows"]] = stored["weights"].astype(np.float32)
        bias = stored["bias"].astype(np.float32)
    return Model(labels, weights, bias)


@functools.cache
def model() -> Model:
    """The packaged model, loaded once per process (some 20 ms)."""
    return load()


def categorise(subject: str, text: str) -> Guess:
    """The category of a complaint, with its confidence; "other" when unsure."""
    return model().guess(subject, text)
