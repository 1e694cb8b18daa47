"""Hashed features: once per occurrence, the same columns as counted, each placed where it
begins in the text."""

from __future__ import annotations

import numpy as np
import pytest

from amends.text import hashed
from amends.text.fold import fold_words

TEXTS = [
    "We are sorry: the parcel went to the wrong address, and that was our mistake.",
    "ขออภัยค่ะ พัสดุส่งผิดที่อยู่ เป็นความผิดพลาดของเรา",
    "Ospravedlňujeme sa, zásielka išla na nesprávnu adresu.",
    "Ζητούμε συγγνώμη, το δέμα στάλθηκε σε λάθος διεύθυνση, λάθος μας.",
    "",  # a sentence of punctuation folds to nothing
    "ok",  # shorter than the shortest character n-gram
]


@pytest.mark.parametrize("text", TEXTS)
def test_occurrences_are_the_counted_features_uncounted(text: str) -> None:
    words = fold_words(text)
    columns, where, word_count = hashed.occurrences(words)
    counted, _ = hashed.words_features(words)
    assert np.array_equal(np.unique(columns), np.unique(counted))
    # Words and word pairs come first: one per word, one per pair of neighbours.
    pieces = words.split()
    assert word_count == max(0, 2 * len(pieces) - 1)
    assert len(where) == len(columns)


@pytest.mark.parametrize("text", TEXTS[:4])
def test_each_occurrence_begins_where_its_word_or_characters_do(text: str) -> None:
    words = fold_words(text)
    _, where, word_count = hashed.occurrences(words)
    pieces = words.split()
    starts = [sum(len(p) + 1 for p in pieces[:k]) for k in range(len(pieces))]
    # Each word, then each pair by its first word, begins at that word's first character.
    assert where[:word_count].tolist() == starts + starts[:-1]
    assert [words[i : i + len(p)] for i, p in zip(starts, pieces, strict=True)] == pieces
    # Each character n-gram begins at a character of the text.
    assert where[word_count:].min() == 0 and where[word_count:].max() < len(words)
