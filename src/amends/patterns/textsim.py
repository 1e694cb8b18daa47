"""The one text similarity score of amends (pure).

Character trigrams of accent-folded, case-folded text, weighted by sublinear term
frequency and compared by cosine. No word segmentation is needed, so Thai works, and
Greek or Slovak written with or without accents compare equal. The score depends on
the two texts only, never on the rest of the corpus, so it is the same in every
process. ``patterns.similar`` finds the candidates to score in the database.
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


def trigrams(text: str) -> list[str]:
    """The distinct trigrams inside the folded text's words, in order of appearance: what
    a trigram index over the text can be asked for."""
    folded = fold_words(text)
    grams = (folded[i : i + 3] for i in range(len(folded) - 2))
    return list(dict.fromkeys(g for g in grams if " " not in g))


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(g, 0.0) for g, w in a.items())
