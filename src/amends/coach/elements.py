"""Whether a recovery message owns the failure, fixes it and says what changed: a small
learned model of the three elements (pure).

The lexicons find cue words exactly, but people say "I've moved your project to the
front of the queue" or "from now on every order is checked twice" in more ways than
any list holds, and a cue missing from the list made the coach call a good apology
incomplete. So an element the lexicons find no cue for is judged by three logistic regressions
(one per element, all four languages in one model) over:

- the hashed words, word pairs and character n-grams of the message
  (:mod:`amends.text.hashed`),
- what the lexicons found in it (each presence code and each element's cue), and
- its length, in steps of 80 characters (a two-line note lacks more than a letter).

The weights are fitted by ``scripts/train_coach.py`` on the labelled training messages
and the project's own examples only (never the held-out part) and kept in
``element_weights.npz`` next to this module, as float16 rows of the features seen in
training. Scoring a message costs about a fifth of a millisecond.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from amends.text import hashed
from amends.text.fold import fold_words, only_words

WEIGHTS = Path(__file__).with_name("element_weights.npz")
ELEMENTS = ("ownership", "remedy", "prevention")
# What the lexicons can report of a message: a column each after the hashed features.
CUES = (
    "blame-customer",
    "blame-staff",
    "blame-third-party",
    "excuse",
    "conditional-apology",
    "minimizing",
    *ELEMENTS,
)
_CUE_BASE = hashed.DIMENSIONS
_LENGTH_BASE = _CUE_BASE + len(CUES)
LENGTH_STEP = 80
LENGTH_STEPS = 6
WIDTH = _LENGTH_BASE + LENGTH_STEPS
# A cue or the length weighs half as much as all the words (each group has unit length).
CUE_VALUE = 0.5
# An element whose cue words the lexicons found is there. Without them, the model must be
# at least this sure that it is said in other words. Chosen on text of a writer the
# model was not fitted on (fitted on one part of the training set, scored on another
# part written apart): at 0.5 the model alone was below the lexicons' micro-F1 there; at
# 0.95 it was above them (0.71-0.75 against 0.65-0.68) while flagging 2-7% of clean
# messages instead of 90-98%.
PRESENT_FROM = 0.95
MAX_CHARS = 3000


def features(text: str, cues: Collection[str], folded: str | None = None) -> hashed.Features:
    """(feature indices, values) of a message and the cues the lexicons found in it;
    ``folded`` is the message through :func:`amends.text.fold.fold`, when known."""
    words = fold_words(text) if folded is None else only_words(folded)
    index, value = hashed.words_features(words[:MAX_CHARS])
    extra = [_CUE_BASE + CUES.index(cue) for cue in CUES if cue in cues]
    extra.append(_LENGTH_BASE + min(LENGTH_STEPS - 1, len(text) // LENGTH_STEP))
    return (
        np.concatenate([index, np.asarray(extra, dtype=np.int64)]),
        np.concatenate([value, np.full(len(extra), CUE_VALUE, dtype=np.float32)]),
    )


@dataclass(frozen=True)
class Model:
    weights: npt.NDArray[np.float32]  # WIDTH x 3, dense in memory (3 MB)
    bias: npt.NDArray[np.float32]

    def present(
        self, text: str, cues: Collection[str], folded: str | None = None
    ) -> dict[str, float]:
        """Each element's probability of being in the message (cues included)."""
        index, value = features(text, cues, folded)
        # np.take gathers the rows a good deal faster than indexing does.
        scores = (self.bias + value @ np.take(self.weights, index, axis=0)).tolist()
        return {e: 1.0 / (1.0 + math.exp(-s)) for e, s in zip(ELEMENTS, scores, strict=True)}

    def missing(self, text: str, cues: Collection[str], folded: str | None = None) -> list[str]:
        """The elements a message lacks: no cue word found, and the model not sure
        enough that it is said in other words."""
        if all(element in cues for element in ELEMENTS):
            return []
        present = self.present(text, cues, folded)
        return [e for e in ELEMENTS if e not in cues and present[e] < PRESENT_FROM]


def load(path: Path = WEIGHTS) -> Model:
    """The model stored at ``path``: sparse rows of float16 weights made dense."""
    with np.load(path) as stored:
        weights = np.zeros((WIDTH, len(ELEMENTS)), dtype=np.float32)
        weights[stored["rows"]] = stored["weights"].astype(np.float32)
        bias = stored["bias"].astype(np.float32)
    return Model(weights, bias)


@functools.cache
def model() -> Model:
    """The packaged model, loaded once per process."""
    return load()
