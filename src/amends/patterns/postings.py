"""Champion posting lists, built from stored vectors in bounded memory (pure).

For every bucket, the (at most ``cap``) texts it weighs most in, by descending
weight; they are what a query reads to find candidates. Built in slabs of stored
entries, so a million texts need no more than a few tens of megabytes beyond the
lists themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from amends.patterns.ngrams import BITS, LOG_TF, unpack

_VOCAB = 1 << BITS
_SLAB = 1 << 20  # stored entries processed at once
_BINS = 256  # weight levels when choosing the champions of a crowded list

Int64s = NDArray[np.int64]
UInt32s = NDArray[np.uint32]
Floats = NDArray[np.float32]
Halves = NDArray[np.float16]


def rebuild(
    entries: UInt32s,
    vector: Halves,
    indptr: Int64s,
    alive: NDArray[np.uint8],
    df: NDArray[np.int32],
    idf: Floats,
    cap: int,
) -> tuple[Int64s, UInt32s, Halves]:
    """Store every slot's unit vector under ``idf`` into ``vector``, then return the
    lists as (ptr, slots, weights): bucket b's are [ptr[b], ptr[b + 1]).

    Two passes: the first histograms the weights in each crowded bucket (df > cap) to
    find the weight a text needs to make its list, the second fills the lists.
    """
    sizes = np.minimum(df, cap).astype(np.int64)
    ptr = np.zeros(_VOCAB + 1, np.int64)
    np.cumsum(sizes, out=ptr[1:])
    crowded = np.flatnonzero(df > cap)
    crowd_id = np.full(_VOCAB, -1, np.int64)
    crowd_id[crowded] = np.arange(len(crowded))
    hist = np.zeros(len(crowded) * _BINS, np.int64)
    for b, level, _, _ in _slabs(entries, vector, indptr, alive, idf):
        c = crowd_id[b]
        mine = c >= 0
        hist += np.bincount(c[mine] * _BINS + level[mine], minlength=len(hist))
    # Lowest level (highest weight) first: the level where a crowded list fills up.
    threshold = np.full(_VOCAB, _BINS - 1, np.int64)
    if len(crowded):
        filled = np.cumsum(hist.reshape(len(crowded), _BINS), axis=1) >= cap
        threshold[crowded] = np.argmax(filled, axis=1)
    post = np.zeros(int(ptr[-1]), np.uint32)
    weight = np.zeros(int(ptr[-1]), np.float16)
    cursor = np.zeros(_VOCAB, np.int64)
    for b, level, s, w in _slabs(entries, vector, indptr, alive, None):
        keep = level <= threshold[b]
        b, s, w = b[keep], s[keep], w[keep]
        if not len(b):
            continue
        order = np.argsort(b, kind="stable")
        b, s, w = b[order], s[order], w[order]
        first = np.flatnonzero(np.concatenate(([True], b[1:] != b[:-1])))
        runs = np.diff(np.append(first, len(b)))
        at = cursor[b] + np.arange(len(b), dtype=np.int64) - np.repeat(first, runs)
        cursor[b[first]] += runs
        room = at < sizes[b]
        where = ptr[b[room]] + at[room]
        post[where] = s[room]
        weight[where] = w[room]
    _sort_lists(ptr, post, weight)
    return ptr, post, weight


def _slabs(
    entries: UInt32s,
    vector: Halves,
    indptr: Int64s,
    alive: NDArray[np.uint8],
    idf: Floats | None,
) -> Iterator[tuple[UInt32s, Int64s, Int64s, Floats]]:
    """(bucket, weight level, slot, weight) of every live stored entry, a slab of
    about ``_SLAB`` entries at a time; with ``idf``, first store the vectors under it."""
    slots, lo = len(indptr) - 1, 0
    while lo < slots:
        hi = int(np.searchsorted(indptr, indptr[lo] + _SLAB, side="right")) - 1
        hi = min(max(hi, lo + 1), slots)
        a, z = int(indptr[lo]), int(indptr[hi])
        b, tfs = unpack(entries[a:z])
        s = np.repeat(np.arange(lo, hi, dtype=np.int64), np.diff(indptr[lo : hi + 1]))
        if idf is not None:
            w = LOG_TF[tfs] * idf[b]
            sums = np.bincount(s - lo, weights=w * w, minlength=hi - lo)
            with np.errstate(divide="ignore"):
                invnorm = np.where(sums > 0, 1.0 / np.sqrt(sums), 0.0).astype(np.float32)
            vector[a:z] = w * invnorm[s - lo]
        w = vector[a:z].astype(np.float32)
        live = alive[s] == 1
        b, s, w = b[live], s[live], w[live]
        # Within one bucket the order by weight is what counts: levels an eighth of an
        # octave apart are fine enough to choose a list's champions. (A weight float16
        # rounds to zero goes last, not first.)
        level = np.clip((-np.log2(np.maximum(w, 1e-30)) * 8).astype(np.int64), 0, _BINS - 1)
        yield b, level, s, w
        lo = hi


def _sort_lists(ptr: Int64s, post: UInt32s, weight: Halves) -> None:
    """Order every posting list by descending weight, in place, a range of lists at a
    time (lists lie side by side, so a range is one contiguous stretch)."""
    lo = 0
    while lo < _VOCAB:
        hi = int(np.searchsorted(ptr, ptr[lo] + _SLAB, side="right")) - 1
        hi = min(max(hi, lo + 1), _VOCAB)
        a, b = int(ptr[lo]), int(ptr[hi])
        if b - a > 1:
            owner = np.repeat(np.arange(hi - lo, dtype=np.int64), np.diff(ptr[lo : hi + 1]))
            order = np.lexsort((-weight[a:b].astype(np.float32), owner))
            post[a:b] = post[a:b][order]
            weight[a:b] = weight[a:b][order]
        lo = hi


def quota(lengths: Int64s, budget: int) -> int:
    """The largest q with sum(min(length, q)) <= budget ("water-filling"): short lists
    are read whole, long ones only their first q postings, the heaviest."""
    if int(lengths.sum()) <= budget:
        return int(lengths.max(initial=0))
    ordered = np.sort(lengths)
    n = len(ordered)
    before = np.concatenate(([0], np.cumsum(ordered)[:-1]))
    spent = before + ordered * (n - np.arange(n))  # total if q were ordered[i]
    i = int(np.searchsorted(spent, budget, side="right")) - 1
    if i < 0:
        return max(1, budget // n)
    return int(ordered[i] + (budget - spent[i]) // max(1, n - i - 1))
