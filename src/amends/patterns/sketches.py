"""Sketches and cells: how the similarity engine finds candidates among a million cases
without reading a million texts (pure).

The one score is ``textsim``'s cosine. Computing it needs a text's profile, which takes
about a tenth of a millisecond to make; scoring thousands of cases per query from their
texts would take half a second. So each case's profile is also kept in the database as
a *sketch*: its trigrams' keys mixed down to 32 bits and their weights as float32, eight
bytes a trigram. A sketch scores as its text does (to within a millionth), a few
microseconds a case for hundreds at once (:func:`scores`).

Which thousands: each sketch is also *folded* to :data:`DIMENSIONS` numbers (its
trigrams summed by the top bits of their ids; kept as a byte a number, half a KB a
case). The cosine of two folded rows is close to the true one: over 200,000 generated
complaints the exact ten best of a new one were always among the best 100 by folded
rows (as half floats; bench/similar.py measures the engine as it stores them). Cases
are grouped into *cells* of alike folded rows (spherical k-means), each case kept with
its cell. A query ranks the cells by their centres, reads the folded rows of the
nearest cells until about ``budget`` cases are read (a cell's rows packed in one value,
:func:`pack_cell`), and the sketches of only the best hundred or so of those. The
centres are fitted on a sample and kept in the database too, so every process on every
machine asks the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from amends.patterns.textsim import Vector

# A sketch is a run of pairs of 32-bit words: a trigram's key mixed to 32 bits, and its
# weight as a float32 (the exact weight to within a ten-millionth).
_ENTRY_BYTES = 8
# Fibonacci hashing: the top bits of key * 2^64/phi are spread evenly whatever the keys.
_MIX = np.uint64(0x9E3779B97F4A7C15)
# Buckets of the lookup table a query's trigrams are put in (the low bits of an id):
# small enough to stay in the processor's cache, so looking up millions is quick.
_TABLE_BITS = 16
_TABLE_MASK = np.uint32((1 << _TABLE_BITS) - 1)
# Numbers a sketch is folded into for the cells (the top bits of each id choose one).
DIMENSIONS = 512
_DIMENSION_SHIFT = np.uint32(32 - 9)

Floats = npt.NDArray[np.float32]


def _ids(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
    return ((keys.astype(np.uint64) * _MIX) >> np.uint64(32)).astype(np.uint32)


def sketch(profile: Vector) -> bytes:
    """A profile's sketch, as stored (``case_sketches.sketch``)."""
    entries = np.empty((len(profile.keys), 2), np.uint32)
    entries[:, 0] = _ids(profile.keys)
    entries[:, 1] = profile.weights.astype(np.float32).view(np.uint32)
    return entries.tobytes()


def query(profile: Vector) -> tuple[npt.NDArray[np.uint32], Floats]:
    """A query's mixed ids and weights, as :func:`scores` takes them."""
    return _ids(profile.keys), profile.weights.astype(np.float32)


class Batch:
    """Many sketches read at once: their ids and weights end to end, and where each
    sketch begins."""

    def __init__(self, sketches: Sequence[bytes]) -> None:
        entries = np.frombuffer(b"".join(sketches), np.uint32).reshape(-1, 2)
        self.ids = np.ascontiguousarray(entries[:, 0])
        self.weights = np.ascontiguousarray(entries[:, 1]).view(np.float32)
        lengths = np.fromiter((len(s) // _ENTRY_BYTES for s in sketches), np.int64, len(sketches))
        self.lengths = lengths
        self.starts = np.cumsum(lengths) - lengths

    def __len__(self) -> int:
        return len(self.lengths)


def scores(ids: npt.NDArray[np.uint32], weights: Floats, batch: Batch) -> Floats:
    """The cosine of the query with each sketch of the batch, in its order (the one
    score, to within a millionth).

    The query's ids go into a table by their low bits; ids that share a bucket go into
    another round, so every id is looked up exactly (a few rounds at most)."""
    if not len(batch) or not len(ids):
        return np.zeros(len(batch), np.float32)
    buckets = batch.ids & _TABLE_MASK
    products = np.zeros(len(batch.ids), np.float32)
    left_ids, left_weights = ids, weights
    while len(left_ids):
        mine = left_ids & _TABLE_MASK
        _, first = np.unique(mine, return_index=True)
        table_ids = np.zeros(1 << _TABLE_BITS, np.uint32)
        table_weights = np.zeros(1 << _TABLE_BITS, np.float32)
        table_ids[mine[first]] = left_ids[first]
        table_weights[mine[first]] = left_weights[first]
        looked_up = table_weights[buckets]
        looked_up[table_ids[buckets] != batch.ids] = 0
        products += looked_up
        rest = np.ones(len(left_ids), bool)
        rest[first] = False
        left_ids, left_weights = left_ids[rest], left_weights[rest]
    products *= batch.weights
    sums = np.zeros(len(batch), np.float32)
    filled = batch.lengths > 0
    if filled.any():
        sums[filled] = np.add.reduceat(products, batch.starts[filled])
    return sums


def folded(batch: Batch) -> Floats:
    """Each sketch folded to :data:`DIMENSIONS` numbers, unit length: rows of a matrix."""
    rows = np.repeat(np.arange(len(batch)), batch.lengths)
    columns = (batch.ids >> _DIMENSION_SHIFT).astype(np.int64)
    matrix = np.bincount(
        rows * DIMENSIONS + columns, weights=batch.weights, minlength=len(batch) * DIMENSIONS
    ).astype(np.float32)
    matrix = matrix.reshape(len(batch), DIMENSIONS)
    return _unit(matrix)


def folded_query(ids: npt.NDArray[np.uint32], weights: Floats) -> Floats:
    vector = np.bincount(
        (ids >> _DIMENSION_SHIFT).astype(np.int64), weights=weights, minlength=DIMENSIONS
    ).astype(np.float32)
    row: Floats = _unit(vector[None, :])[0]
    return row


# A stored folded row: its largest number as a float32, then each number as a byte
# (a 255th of the largest), 516 bytes a case.
_ROW_BYTES = 4 + DIMENSIONS


def pack_rows(rows: Floats) -> list[bytes]:
    """Folded rows as stored (``case_cells.folded``): a byte a number."""
    tops = rows.max(axis=1, initial=0).astype(np.float32)
    scaled = rows / np.where(tops > 0, tops, 1)[:, None]
    steps = np.rint(scaled * 255).astype(np.uint8)
    return [tops[i : i + 1].tobytes() + steps[i].tobytes() for i in range(len(rows))]


Rows = tuple[Floats, npt.NDArray[np.uint8]]


def alike(rows: Rows, query_row: Floats) -> Floats:
    """The cosine of the query's folded row with each stored one (each row's largest
    number and its bytes), about: a byte a number moves it by under a hundredth."""
    tops, steps = rows
    return _times(steps, query_row) * (tops / np.float32(255))


# Rows multiplied at once by a query's row: a block and its float copy stay in the
# processor's cache, and the product stays below the size at which the linear algebra
# library splits it over threads (which, on a busy machine, wait for each other: 1,024
# rows of bytes took over ten times as long as two blocks of 512).
_BLOCK = 512


def _times(matrix: npt.NDArray[np.uint8] | Floats, row: Floats) -> Floats:
    """``matrix @ row`` as float32, a block of rows at a time."""
    out = np.empty(len(matrix), np.float32)
    for start in range(0, len(matrix), _BLOCK):
        block = matrix[start : start + _BLOCK]
        out[start : start + _BLOCK] = block.astype(np.float32, copy=False) @ row
    return out


def unpack_rows(blobs: Sequence[bytes]) -> Floats:
    """Stored folded rows back as a matrix, one row a blob (unit length again)."""
    _, steps = split_rows(blobs)
    return _unit(steps.astype(np.float32))


def split_rows(blobs: Sequence[bytes]) -> Rows:
    """Stored folded rows split into each row's largest number and its bytes."""
    stored = np.frombuffer(b"".join(blobs), np.uint8).reshape(len(blobs), _ROW_BYTES)
    tops = np.ascontiguousarray(stored[:, :4]).view(np.float32).ravel()
    return tops, stored[:, 4:]


def pack_cell(case_ids: Sequence[int], blobs: Sequence[bytes]) -> bytes:
    """A cell's cases and their stored folded rows as one value (``cell_packs.pack``):
    the case ids (int64), then each row's largest number (float32), then the rows'
    bytes, so a query takes each part as an array without copying it."""
    tops, steps = split_rows(blobs)
    return np.asarray(case_ids, np.int64).tobytes() + tops.tobytes() + steps.tobytes()


def unpack_cell(pack: bytes, cases: int) -> tuple[npt.NDArray[np.int64], Rows]:
    """A pack's case ids and folded rows (views of the value, not copies)."""
    ids = np.frombuffer(pack, np.int64, cases)
    tops = np.frombuffer(pack, np.float32, cases, offset=8 * cases)
    steps = np.frombuffer(pack, np.uint8, cases * DIMENSIONS, offset=12 * cases)
    return ids, (tops, steps.reshape(cases, DIMENSIONS))


def _unit(matrix: Floats) -> Floats:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True).astype(np.float32)
    norms[norms == 0] = 1
    unit: Floats = (matrix / norms).astype(np.float32, copy=False)
    return unit


def fit(sample: Floats, cells: int, *, rounds: int = 8, seed: int = 0) -> Floats:
    """Centres of ``cells`` cells for rows like ``sample`` (spherical k-means, started
    from rows drawn with a fixed seed, so the same sample gives the same centres)."""
    rng = np.random.default_rng(seed)
    cells = max(1, min(cells, len(sample)))
    centres = sample[rng.choice(len(sample), cells, replace=False)].copy()
    for _ in range(rounds):
        nearest = assign(sample, centres)
        sums = np.zeros_like(centres)
        np.add.at(sums, nearest, sample)
        empty = ~sums.any(axis=1)
        sums[empty] = centres[empty]  # a cell nobody chose keeps its centre
        centres = _unit(sums)
    return centres


# Rows per product in assign(): a chunk of rows by all centres stays a few tens of MB.
_ASSIGN_CHUNK = 4096


def assign(rows: Floats, centres: Floats) -> npt.NDArray[np.int64]:
    """The nearest centre of each row (by cosine: both are unit length)."""
    out = np.empty(len(rows), np.int64)
    for start in range(0, len(rows), _ASSIGN_CHUNK):
        out[start : start + _ASSIGN_CHUNK] = np.argmax(
            rows[start : start + _ASSIGN_CHUNK] @ centres.T, axis=1
        )
    return out


def nearest_cells(
    query_row: Floats, centres: Floats, sizes: npt.NDArray[np.int64], budget: int
) -> list[int]:
    """The cells nearest the query, nearest first (ties by the lower cell), until they
    hold ``budget`` cases."""
    near = _times(centres, query_row)
    # Only the nearest few need sorting: several times the cells an average size needs.
    wanted = 4 * budget // max(1, int(sizes.mean()) if len(sizes) else 1) + 16
    if wanted < len(near):
        first = np.argpartition(-near, wanted)[:wanted]
        order = first[np.lexsort((first, -near[first]))]
        if int(sizes[order].sum()) >= budget:
            return _until(order, sizes, budget)
    return _until(np.lexsort((np.arange(len(near)), -near)), sizes, budget)


def _until(order: npt.NDArray[np.intp], sizes: npt.NDArray[np.int64], budget: int) -> list[int]:
    held = np.cumsum(sizes[order])
    enough = int(np.searchsorted(held, budget)) + 1
    return [int(c) for c in order[:enough]]
