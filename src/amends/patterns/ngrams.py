"""Hashed character trigrams of texts in any language, computed in bulk (pure).

A text is folded the way the coach folds it (``amends.text.fold``: case-folded,
Latin and Greek letters without accents, final sigma as sigma, Thai untouched),
punctuation becomes a space, and every run of spaces one space. The trigrams of
`` text `` are then hashed into ``2**bits`` buckets. No word segmentation is
needed, so Thai, written without spaces between words, works like the others, and
trigrams across a space keep a little of the word order.

Everything after Python's NFC normalisation runs on arrays of code points, so
featurising a million complaints takes seconds, not minutes. The folding table is
built once from ``fold`` itself, so the two can never disagree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

from amends.text.fold import fold

BITS = 20
TF_BITS = 12  # tf is stored beside the bucket in one uint32: 20 + 12 bits
TF_MAX = (1 << TF_BITS) - 1
_TABLE_END = 0x3000  # Latin, Greek, Cyrillic, Thai and punctuation all lie below
_SPACE = 0x20
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: odd, bits well mixed


@cache
def _table() -> NDArray[np.uint32]:
    """Code point -> folded code point, 0x20 for a separator, 0 for a dropped mark."""
    table = np.zeros(_TABLE_END, dtype=np.uint32)
    for cp in range(_TABLE_END):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        folded = fold(ch)[0]
        if not folded:
            continue  # a lone combining accent: folding drops it
        if len(folded) != 1:
            folded = ch.lower() if len(ch.lower()) == 1 else ch  # ß stays ß, the same everywhere
        kept = folded.isalnum() or unicodedata.category(folded)[0] == "M"
        # Thai vowel and tone marks are combining marks yet letters of the word.
        table[cp] = ord(folded) if kept else _SPACE
    return table


def _codes(texts: Sequence[str]) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """Folded code points of every text, each padded by a space, and its text number."""
    padded = [f" {unicodedata.normalize('NFC', t)} " for t in texts]
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(padded), dtype=np.int64), [len(p) for p in padded])
    table = _table()
    low = codes < _TABLE_END
    mapped = codes.copy()
    mapped[low] = table[codes[low]]
    keep = mapped != 0
    mapped, owner = mapped[keep], owner[keep]
    # One space for any run of separators, within a text.
    dup = np.zeros(len(mapped), dtype=bool)
    dup[1:] = (mapped[1:] == _SPACE) & (mapped[:-1] == _SPACE) & (owner[1:] == owner[:-1])
    return mapped[~dup], owner[~dup]


def featurise(
    texts: Sequence[str], bits: int = BITS
) -> tuple[NDArray[np.int64], NDArray[np.uint32], NDArray[np.uint32]]:
    """(indptr, buckets, counts): text i has buckets[indptr[i]:indptr[i+1]] (sorted,
    distinct), each with how often its trigrams occur in the text."""
    n = len(texts)
    codes, owner = _codes(texts)
    if len(codes) < 3:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, np.uint32), np.zeros(0, np.uint32)
    c = codes.astype(np.uint64)
    key = (c[:-2] << np.uint64(42)) | (c[1:-1] << np.uint64(21)) | c[2:]
    within = owner[:-2] == owner[2:]
    bucket = (key[within] * _GOLDEN) >> np.uint64(64 - bits)
    doc = owner[:-2][within]
    pairs, counts = np.unique((doc.astype(np.uint64) << np.uint64(32)) | bucket, return_counts=True)
    docs = (pairs >> np.uint64(32)).astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(docs, minlength=n), out=indptr[1:])
    buckets = (pairs & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return indptr, buckets, counts.astype(np.uint32)


def pack(buckets: NDArray[np.uint32], counts: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """Bucket and tf in one uint32 (tf above ``BITS``, capped: beyond 4095 repetitions
    one more changes 1 + ln tf by less than 0.03%)."""
    return buckets | (np.minimum(counts, TF_MAX).astype(np.uint32) << np.uint32(BITS))


def unpack(packed: NDArray[np.uint32]) -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    return packed & np.uint32((1 << BITS) - 1), packed >> np.uint32(BITS)


# 1 + ln tf for every storable tf (index 0 unused).
LOG_TF = np.concatenate(([0.0], 1.0 + np.log(np.arange(1, TF_MAX + 1, dtype=np.float64)))).astype(
    np.float32
)
