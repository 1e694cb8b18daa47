"""Exact text similarity between a few texts, without an index (pure).

Character trigrams of accent-folded, case-folded text, weighted by sublinear term
frequency and compared by cosine. No word segmentation is needed, so Thai works, and
Greek or Slovak written with or without accents compare equal. For "which past cases
are like this one" across a whole workspace use the similar-case index
(``patterns.service.similar_cases``), which adds idf and scales to millions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

from amends.text.fold import fold_words


def profile(text: str) -> dict[str, float]:
    """Unit-length trigram vector (sublinear tf)."""
    folded = f" {fold_words(text)} "
    grams = Counter(folded[i : i + 3] for i in range(len(folded) - 2))
    weights = {g: 1.0 + math.log(n) for g, n in grams.items() if g.strip()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {g: w / norm for g, w in weights.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(g, 0.0) for g, w in a.items())


def rank(query: str, candidates: Mapping[int, str], *, limit: int = 10) -> list[tuple[int, float]]:
    """The ``limit`` most similar candidates, best first (ties by lower id)."""
    q = profile(query)
    scored = [(cid, cosine(q, profile(text))) for cid, text in candidates.items()]
    scored = [(cid, s) for cid, s in scored if s > 0]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]
