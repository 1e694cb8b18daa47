"""The one text similarity score of amends (pure).

Character trigrams of accent-folded, case-folded text, weighted by sublinear term
frequency and compared by cosine. No word segmentation is needed, so Thai works, and
Greek or Slovak written with or without accents compare equal. The score depends on
the two texts only, never on the rest of the corpus, so it is the same in every
process. ``patterns.similar`` finds the candidates to score in the database.

A profile is scored against many at once as arrays (:class:`Vector`, :func:`cosines`):
the same sum of products, a few microseconds a text instead of tens.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from amends.text.fold import fold_words

# A few characters ("case 2", "Help!") say nothing about what failed; such texts are
# left to the category and the promise instead of matching everything short.
MIN_TEXT_CHARS = 12


def comparable(text: str) -> bool:
    """Whether a text is long enough to be compared with others at all."""
    return len(fold_words(text)) >= MIN_TEXT_CHARS


def profile(text: str) -> dict[str, float]:
    """Unit-length trigram vector (sublinear tf)."""
    folded = f" {fold_words(text)} "
    grams = Counter(folded[i : i + 3] for i in range(len(folded) - 2))
    weights = {g: 1.0 + math.log(n) for g, n in grams.items() if g.strip()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {g: w / norm for g, w in weights.items()}


@dataclass(frozen=True)
class Vector:
    """A profile as two aligned arrays: its trigrams' keys, sorted, and their weights.

    A key is the trigram's three code points (21 bits each) packed into one integer:
    two trigrams never share one, and every process sorts and so sums them alike."""

    keys: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]


def vector(weights: Mapping[str, float]) -> Vector:
    keys = np.fromiter(
        ((ord(g[0]) << 42) | (ord(g[1]) << 21) | ord(g[2]) for g in weights),
        np.int64,
        len(weights),
    )
    values = np.fromiter(weights.values(), np.float64, len(weights))
    order = np.argsort(keys)
    return Vector(keys[order], values[order])


def vector_of(text: str) -> Vector:
    """``vector(profile(text))``, made with arrays: the same keys and weights, in a third
    of the time (a profile is made for every text a query or the index reads)."""
    folded = f" {fold_words(text)} "
    points = np.frombuffer(folded.encode("utf-32-le"), np.uint32).astype(np.int64)
    if len(points) < 3:
        return Vector(np.zeros(0, np.int64), np.zeros(0, np.float64))
    keys = (points[:-2] << 42) | (points[1:-1] << 21) | points[2:]
    blank = (points[:-2] == _SPACE) & (points[1:-1] == _SPACE) & (points[2:] == _SPACE)
    found, counts = np.unique(keys[~blank], return_counts=True)
    weights = 1.0 + np.log(counts)
    norm = math.sqrt(float(np.dot(weights, weights))) or 1.0
    return Vector(found, weights / norm)


_SPACE = ord(" ")


def cosines(query: Vector, others: Sequence[Vector]) -> list[float]:
    """The cosine of ``query`` with each of ``others``, in their order."""
    if not others:
        return []
    if not len(query.keys):
        return [0.0] * len(others)
    lengths = np.fromiter((len(o.keys) for o in others), np.int64, len(others))
    keys = np.concatenate([o.keys for o in others])
    weights = np.concatenate([o.weights for o in others])
    at = np.searchsorted(query.keys, keys)
    at[at == len(query.keys)] = 0
    products = np.where(query.keys[at] == keys, query.weights[at] * weights, 0.0)
    # Sums per text; reduceat needs a non-empty segment per start, so empty ones are
    # given their zero afterwards.
    filled = lengths > 0
    sums = np.zeros(len(others))
    if filled.any():
        starts = (np.cumsum(lengths) - lengths)[filled]
        sums[filled] = np.add.reduceat(products, starts)
    return [float(x) for x in sums]


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    return cosines(vector(a), [vector(b)])[0]
