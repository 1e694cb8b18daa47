"""What the lexicons miss: a small learned model of a recovery message (pure).

The lexicons find cue words exactly, but people say "I've moved your project to the
front of the queue", "from now on every order is checked twice" or "the paper supplier
was unable to deliver on time" in more ways than any list holds. A cue missing from
the list made the coach call a good apology incomplete, and blame in other words went
unseen. So nine logistic regressions (all four languages in one model) read a message
the lexicons left unsure, over:

- the hashed words, word pairs and character n-grams of the message
  (:mod:`amends.text.hashed`),
- what the lexicons found in it (each presence code and each element's cue), and
- its length, in steps of 80 characters (a two-line note lacks more than a letter).

Three of them say whether the message owns the failure, fixes it and says what changed
(the elements); six whether it blames, excuses, half-apologises or plays the failure
down (the presence codes). The model is asked only about a message in which the
lexicons missed some element's cue: a message with them all is judged by the lexicons
alone, which keeps the common case fast, and nearly nine in ten training messages with
blame, an excuse or a half-apology lack one.

The weights are fitted by ``scripts/train_coach.py`` on the labelled training messages
and the project's own examples only (never the held-out part) and kept in
``learned_weights.npz`` next to this module, as float16 rows of the features seen in
training. Scoring a message costs about a third of a millisecond (bench/coach.py).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from amends.coach.lexicon import ELEMENTS, PRESENCE
from amends.text import hashed
from amends.text.fold import fold_words, only_words

WEIGHTS = Path(__file__).with_name("learned_weights.npz")
# What the model says, in the order of its weights' columns.
LABELS = (*ELEMENTS, *PRESENCE)
# What the lexicons can report of a message: a column each after the hashed features.
CUES = (*PRESENCE, *ELEMENTS)
_CUE_BASE = hashed.DIMENSIONS
_LENGTH_BASE = _CUE_BASE + len(CUES)
LENGTH_STEP = 80
LENGTH_STEPS = 6
WIDTH = _LENGTH_BASE + LENGTH_STEPS
# A cue or the length weighs half as much as all the words (each group has unit length).
CUE_VALUE = 0.5
# An element whose cue words the lexicons found is there. Without them, the model must be
# at least PRESENT_FROM sure that it is said in other words; a fault the lexicons did not
# find is reported from FOUND_FROM. Chosen on writers the model never saw: fitted on four
# of the five hands of the training part and scored on the fifth, in turn
# (scripts/train_coach.py --by-writer), 0.7 and 0.8 gave micro-F1 0.73-0.81 a language
# while flagging 6-16% of clean messages; the 0.95 and 0.7 chosen when there were two
# hands gave 0.74-0.80 and flagged 22-35%. Lower odds scored a little higher there but
# read "Mistakes were made" as ownership (below 0.7) and found excuses and blame in the
# product's own drafts (below 0.8; tests/coach).
PRESENT_FROM = 0.7
FOUND_FROM = 0.8
MAX_CHARS = 3000
# Where a sentence ends; Thai separates sentences with a space.
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*")
_THAI_SENTENCE = re.compile(r"\S+")


def features(text: str, cues: Collection[str], folded: str | None = None) -> hashed.Features:
    """(feature indices, values) of a message and the cues the lexicons found in it;
    ``folded`` is the message through :func:`amends.text.fold.fold`, when known."""
    words = fold_words(text) if folded is None else only_words(folded)
    index, value = hashed.words_features(words[:MAX_CHARS])
    extra = [_CUE_BASE + k for k, cue in enumerate(CUES) if cue in cues]
    extra.append(_length_column(text))
    return (
        np.concatenate([index, np.asarray(extra, dtype=np.int64)]),
        np.concatenate([value, np.full(len(extra), CUE_VALUE, dtype=np.float32)]),
    )


def _length_column(text: str) -> int:
    return _LENGTH_BASE + min(LENGTH_STEPS - 1, len(text) // LENGTH_STEP)


@dataclass(frozen=True)
class Reading:
    """What the model made of a message the lexicons left unsure."""

    missing: tuple[str, ...]  # elements: no cue word, and the model not sure enough
    found: tuple[str, ...]  # presence codes the lexicons missed and the model is sure of


def decide(cues: Collection[str], p: Mapping[str, float] | None) -> Reading:
    """The rule of the coach: an element with cue words is there, one without them is
    missing unless the model is PRESENT_FROM sure, and a fault the lexicons missed is
    reported from FOUND_FROM; with no probabilities ``p``, the lexicons alone."""
    missing = tuple(e for e in ELEMENTS if e not in cues)
    if p is None or not missing:
        return Reading(missing, ())
    return Reading(
        tuple(e for e in missing if p[e] < PRESENT_FROM),
        tuple(c for c in PRESENCE if c not in cues and p[c] >= FOUND_FROM),
    )


@dataclass(frozen=True)
class Model:
    weights: npt.NDArray[np.float32]  # WIDTH x LABELS, dense in memory (9 MB)
    bias: npt.NDArray[np.float32]

    def scores(
        self, text: str, cues: Collection[str], folded: str | None = None
    ) -> dict[str, float]:
        """Each label's probability for the message (cues included)."""
        index, value = features(text, cues, folded)
        # np.take gathers the rows a good deal faster than indexing does.
        raw = (self.bias + value @ np.take(self.weights, index, axis=0)).tolist()
        return {label: 1.0 / (1.0 + math.exp(-s)) for label, s in zip(LABELS, raw, strict=True)}

    def read(self, text: str, cues: Collection[str], folded: str | None = None) -> Reading:
        """Which elements a message lacks and which faults the lexicons missed; a message
        with every element's cue words is left to the lexicons (the model is not asked)."""
        unsure = any(element not in cues for element in ELEMENTS)
        return decide(cues, self.scores(text, cues, folded) if unsure else None)

    @functools.cached_property
    def _by_label(self) -> npt.NDArray[np.float32]:
        # Each label's weights in one contiguous row: gathering from a column of
        # ``weights`` would copy the whole column (a megabyte) for every sentence pointed at.
        return np.ascontiguousarray(self.weights.T)

    def sentence(self, text: str, language: str, label: str) -> range:
        """Where in ``text`` the sentence is that says ``label`` most: each sentence is
        scored as a message of its own (its words and its length; the message's cues
        would add the same to every one), and the finding points at the best one (the
        first of equals)."""
        pattern = _THAI_SENTENCE if language == "th" else _SENTENCE
        spans = [m for m in pattern.finditer(text) if m.group().strip()]
        if not spans:
            return range(0, len(text))
        column = self._by_label[LABELS.index(label)]
        docs, index, value = hashed.texts_features(
            [fold_words(m.group())[:MAX_CHARS] for m in spans]
        )
        said = np.bincount(docs, weights=value * np.take(column, index), minlength=len(spans))
        scores = said + CUE_VALUE * column[[_length_column(m.group()) for m in spans]]
        found = spans[int(np.argmax(scores))]
        start = found.start() + len(found.group()) - len(found.group().lstrip())
        return range(start, found.start() + len(found.group().rstrip()))


def load(path: Path = WEIGHTS) -> Model:
    """The model stored at ``path``: sparse rows of float16 weights made dense."""
    with np.load(path) as stored:
        weights = np.zeros((WIDTH, len(LABELS)), dtype=np.float32)
        weights[stored["rows"]] = stored["weights"].astype(np.float32)
        bias = stored["bias"].astype(np.float32)
    return Model(weights, bias)


@functools.cache
def model() -> Model:
    """The packaged model, loaded once per process."""
    return load()
