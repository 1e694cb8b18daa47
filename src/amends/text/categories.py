"""What a complaint is about, from its subject and text: a small linear model (pure).

One multinomial logistic regression for all four languages over the hashed features of
:mod:`amends.text.hashed` (words, word pairs and character 3- to 5-grams of the folded
text), which read Thai without a word segmenter and Slovak and Greek inflection without
a stemmer.

The weights are trained by ``scripts/train_categories.py`` from the labelled training
complaints alone and kept in ``category_weights.npz`` next to this module; only the rows
of features that occurred in training are stored (the rest are zero). Scoring a message
costs well under a millisecond.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from amends.text import hashed
from amends.text.hashed import DIMENSIONS, Features

WEIGHTS = Path(__file__).with_name("category_weights.npz")
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


@dataclass(frozen=True)
class Guess:
    """The category a text most likely has, and the model's probability for it."""

    category: str
    confidence: float
    best: str  # the model's top category, even when too unsure to be used


def features(subject: str, text: str) -> Features:
    """(sorted feature indices, values) of one complaint, each group scaled to unit length."""
    return hashed.features(f"{subject}\n{text}"[:MAX_CHARS], WORD_WEIGHT, CHAR_WEIGHT)


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    weights: npt.NDArray[np.float32]  # DIMENSIONS x labels (dense in memory: 8 MB)
    bias: npt.NDArray[np.float32]

    def probabilities(self, subject: str, text: str) -> npt.NDArray[np.float32]:
        index, value = features(subject, text)
        scores = self.bias + value @ np.take(self.weights, index, axis=0)
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
