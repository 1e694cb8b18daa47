"""Hashed features of a text for the small linear models (pure).

Words, word pairs and character 3- to 5-grams of the folded text (accents, case and final
sigma folded by :func:`amends.text.fold.fold_words`), each hashed into one of
``DIMENSIONS`` columns. The character n-grams are what let one model read Thai without a
word segmenter and Slovak or Greek inflection without a stemmer ("zásielka",
"zásielku", "zásielky" share most of their n-grams). Each group (words and pairs, then
character n-grams) is scaled to unit length, counts dampened by log1p
(:func:`words_features`, what the complaint categories read); :func:`occurrences` gives
the same columns once per occurrence, uncounted, for the coach's model of what a recovery
message contains (:mod:`amends.coach.learned`), which also says where in the text its
score came from. The character n-grams are hashed with numpy, not one by one in Python.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from amends.text.fold import fold_words

DIMENSIONS = 1 << 18
CHAR_SIZES = (3, 4, 5)

_MULTIPLIER = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(29)
_SALTS = {n: np.uint64(n * 0x51ED27) for n in CHAR_SIZES}
_WORD_SALT = 0x5D0
_CHARS_FROM = np.int32(DIMENSIONS)
_PAIR_SALT = 0xB16

Features = tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]


def features(text: str, word_weight: float = 1.0, char_weight: float = 1.0) -> Features:
    """(sorted feature indices, values) of ``text``: each group scaled to its weight."""
    return words_features(fold_words(text), word_weight, char_weight)


def words_features(folded: str, word_weight: float = 1.0, char_weight: float = 1.0) -> Features:
    """:func:`features` of a text already through ``fold_words``."""
    word_index = np.asarray(_word_ids(folded), dtype=np.uint64) % np.uint64(DIMENSIONS)
    char_index = _char_ngrams(f" {folded} ")
    return _combine(word_index, word_weight, char_index, char_weight)


def _word_ids(folded: str) -> list[int]:
    """The hashes of a text's words and word pairs."""
    words = folded.encode().split()
    ids = [zlib.crc32(w, _WORD_SALT) for w in words]
    return ids + [zlib.crc32(b" ".join(pair), _PAIR_SALT) for pair in pairwise(words)]


def _char_ngrams(text: str) -> npt.NDArray[np.uint64]:
    parts = [column for _, column in _windows(_codes(text))]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _codes(text: str) -> npt.NDArray[np.uint64]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _windows(codes: npt.NDArray[np.uint64]) -> Iterator[tuple[int, npt.NDArray[np.uint64]]]:
    """For each n-gram size n: (n, the column of the n-gram starting at each position)."""
    # A polynomial hash of each window, wrapping at 64 bits: the hash of the n-gram at i
    # is that of the (n-1)-gram at i times the multiplier plus its last character, so
    # each size is one step from the one before. Each is then mixed so that the low bits
    # (the index) depend on every character.
    h = np.zeros(len(codes), dtype=np.uint64)
    for n in range(1, CHAR_SIZES[-1] + 1):
        count = len(codes) - n + 1
        if count <= 0:
            return
        h = h[:count] * _MULTIPLIER + codes[n - 1 : n - 1 + count]
        if n in _SALTS:
            mixed = (h ^ _SALTS[n]) * _MIX
            yield n, (mixed ^ (mixed >> _SHIFT)) % np.uint64(DIMENSIONS)


def _combine(
    words: npt.NDArray[np.uint64],
    word_weight: float,
    chars: npt.NDArray[np.uint64],
    char_weight: float,
) -> Features:
    # Both groups are counted in one sort: the character n-grams are moved past the
    # words' columns, then back. Columns fit 32 bits, which sort twice as fast as 64.
    ordered = np.concatenate((words.astype(np.int32), chars.astype(np.int32) + _CHARS_FROM))
    if not len(ordered):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    ordered.sort()
    unique, value = _counted(ordered)
    split = int(np.searchsorted(unique, _CHARS_FROM))
    for part, weight in ((value[:split], word_weight), (value[split:], char_weight)):
        if len(part):
            part *= np.float32(weight / float(np.linalg.norm(part)))
    unique[split:] -= _CHARS_FROM
    return unique.astype(np.int64), value


def _counted(
    ordered: npt.NDArray[np.integer[Any]],
) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.float32]]:
    """The distinct values of a sorted, non-empty array, and log1p of how often each
    occurs: counts are dampened, a word said five times is not five times the evidence."""
    change = np.empty(len(ordered), dtype=bool)
    change[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    return ordered[starts], np.log1p(np.diff(starts, append=len(ordered)).astype(np.float32))


def occurrences(
    words: str,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int]:
    """Every feature of a text already through ``fold_words``, once per occurrence and
    uncounted: (columns, where in ``words`` each begins, how many of them are words and
    word pairs, which come first). The same columns as :func:`words_features`; a linear
    model sums a weight per occurrence instead of sorting and counting them, and can say
    which stretch of the text gave its score."""
    word_index = np.asarray(_word_ids(words), dtype=np.uint64) % np.uint64(DIMENSIONS)
    codes = _codes(f" {words} ")
    # Each word begins after a space of the padded text: at that space's index in
    # ``words``; a word pair where its first word does.
    starts = np.flatnonzero(codes == 32)[:-1] if words else np.zeros(0, dtype=np.int64)
    # An n-gram at padded position i begins at character i - 1 of the words (the first
    # one, on the leading space, at character 0).
    at = np.arange(-1, len(codes) - 1, dtype=np.int64)
    at[0] = 0
    columns = [word_index]
    where = [starts, starts[:-1]]
    for _, column in _windows(codes):
        columns.append(column)
        where.append(at[: len(column)])
    # Every column is below DIMENSIONS: the same bits read as signed.
    return np.concatenate(columns).view(np.int64), np.concatenate(where), len(word_index)
