"""Hashed features: several texts at once are each text's features alone."""

from __future__ import annotations

import numpy as np

from amends.text import hashed
from amends.text.fold import fold_words

TEXTS = [
    "We are sorry: the parcel went to the wrong address, and that was our mistake.",
    "ขออภัยค่ะ พัสดุส่งผิดที่อยู่ เป็นความผิดพลาดของเรา",
    "Ospravedlňujeme sa, zásielka išla na nesprávnu adresu.",
    "Ζητούμε συγγνώμη, το δέμα στάλθηκε σε λάθος διεύθυνση.",
    "",  # a sentence of punctuation folds to nothing
    "ok",  # shorter than the shortest character n-gram
    "Ζητούμε συγγνώμη, το δέμα στάλθηκε σε λάθος διεύθυνση.",  # the same text twice
]


def test_texts_at_once_have_the_features_each_has_alone() -> None:
    folded = [fold_words(t) for t in TEXTS]
    docs, index, value = hashed.texts_features(folded, word_weight=0.7, char_weight=1.3)
    for doc, text in enumerate(folded):
        alone_index, alone_value = hashed.words_features(text, 0.7, 1.3)
        mine = docs == doc
        assert np.array_equal(index[mine], alone_index), TEXTS[doc]
        assert np.allclose(value[mine], alone_value, rtol=1e-6, atol=0), TEXTS[doc]
    # No n-gram spans two texts: every feature belongs to one of them.
    assert len(index) == sum(len(hashed.words_features(t)[0]) for t in folded)


def test_no_texts_have_no_features() -> None:
    docs, index, value = hashed.texts_features([])
    assert len(docs) == len(index) == len(value) == 0
