"""Sketches and cells on their own (pure): a sketch scores as the one score does, and
cells put alike texts together."""

from __future__ import annotations

import numpy as np

from amends.patterns import sketches
from amends.patterns.textsim import Vector, cosines, profile, vector
from tests.patterns.synthetic import complaints
from tests.patterns.test_similarity import EL_FRIDGE, EL_FRIDGE_CAPS, TH_PURIFIER, WRITTEN


def profiles(texts: list[str]) -> list[Vector]:
    return [vector(profile(t)) for t in texts]


def test_a_sketch_scores_as_its_text_does() -> None:
    texts = complaints(300, seed=11)
    corpus = profiles(texts[:280])
    batch = sketches.Batch([sketches.sketch(p) for p in corpus])
    for query in profiles(texts[280:]):
        exact = np.array(cosines(query, corpus))
        sketched = sketches.scores(*sketches.query(query), batch)
        assert np.abs(exact - sketched).max() < 1e-5
        assert exact[np.argsort(-sketched)[:10]].min() >= np.sort(exact)[-10] - 1e-5


def test_every_trigram_of_a_long_query_is_looked_up_even_when_their_buckets_collide() -> None:
    # Thousands of trigrams share the lookup table's 65,536 buckets: several rounds.
    long_text = " ".join(complaints(60, seed=3))
    query = vector(profile(long_text))
    assert len(query.keys) > 3000
    same = sketches.scores(*sketches.query(query), sketches.Batch([sketches.sketch(query)]))
    assert abs(float(same[0]) - 1.0) < 1e-5


def test_empty_and_unrelated_sketches_score_zero() -> None:
    query = vector(profile(EL_FRIDGE))
    batch = sketches.Batch([b"", sketches.sketch(vector(profile(TH_PURIFIER)))])
    assert sketches.scores(*sketches.query(query), batch).tolist() == [0.0, 0.0]
    assert sketches.scores(*sketches.query(query), sketches.Batch([])).tolist() == []


def test_cells_put_the_same_complaint_together_and_are_the_same_for_the_same_sample() -> None:
    texts = [*WRITTEN, EL_FRIDGE_CAPS] * 3
    rows = sketches.folded(sketches.Batch([sketches.sketch(p) for p in profiles(texts)]))
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    centres = sketches.fit(rows, 10)
    assert np.array_equal(centres, sketches.fit(rows, 10))
    cells = sketches.assign(rows, centres)
    fridge, fridge_caps = texts.index(EL_FRIDGE), texts.index(EL_FRIDGE_CAPS)
    assert cells[fridge] == cells[fridge_caps]
    assert len(set(cells.tolist())) >= 6


def test_the_nearest_cells_are_read_until_they_hold_the_budget() -> None:
    centres = np.eye(4, dtype=np.float32)
    sizes = np.array([50, 30, 20, 10])
    query = np.array([0.1, 0.9, 0.4, 0.0], np.float32)
    assert sketches.nearest_cells(query, centres, sizes, 25) == [1]
    assert sketches.nearest_cells(query, centres, sizes, 31) == [1, 2]
    assert sketches.nearest_cells(query, centres, sizes, 1000) == [1, 2, 0, 3]


def test_a_cell_packed_in_one_value_reads_back_as_its_stored_rows() -> None:
    texts = complaints(40, seed=5)
    rows = sketches.folded(sketches.Batch([sketches.sketch(p) for p in profiles(texts)]))
    stored = sketches.pack_rows(rows)
    case_ids = [3, 1, 2**31 + 5, *range(100, 137)]
    ids, packed = sketches.unpack_cell(sketches.pack_cell(case_ids, stored), len(stored))
    assert ids.tolist() == case_ids
    one_by_one = sketches.split_rows(stored)
    assert np.array_equal(packed[0], one_by_one[0])
    assert np.array_equal(packed[1], one_by_one[1])
    # Stored a byte a number, each row is still about as alike to a query as it was.
    query = rows[0]
    assert np.abs(sketches.alike(packed, query) - rows @ query).max() < 0.01
    empty_ids, (tops, steps) = sketches.unpack_cell(sketches.pack_cell([], []), 0)
    assert (len(empty_ids), len(tops), steps.shape) == (0, 0, (0, sketches.DIMENSIONS))


def test_the_nearest_of_thousands_of_cells_are_the_same_as_by_sorting_them_all() -> None:
    rng = np.random.default_rng(3)
    centres = rng.random((3000, sketches.DIMENSIONS), np.float32)
    sizes = rng.integers(0, 400, 3000)
    for query in rng.random((20, sketches.DIMENSIONS), np.float32):
        order = np.argsort(-(centres.astype(np.float64) @ query), kind="stable")
        for budget in (1, 700, 4000):
            enough = int(np.searchsorted(np.cumsum(sizes[order]), budget)) + 1
            expected = order[:enough].tolist()
            assert sketches.nearest_cells(query, centres, sizes, budget) == expected
