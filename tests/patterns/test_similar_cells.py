"""The similarity engine's sketches and cells in the database, on SQLite and PostgreSQL:
the triggers queue what changed, the job sketches it, fits cells when due and moves the
cases into them, and queries give the same answers at every step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.clock import FrozenClock
from amends.customers import service as customers
from amends.db import transaction
from amends.messages.models import Message
from amends.patterns import indexing, similar, sketches
from amends.patterns.models import (
    CaseCell,
    CaseSketch,
    CellPack,
    CellUnpacked,
    SimilarModel,
    SimilarPending,
)
from amends.people.rules import OPERATOR
from tests.conftest import Cast
from tests.patterns.synthetic import complaints


def load(s: Session, clock: FrozenClock, owner_id: int, texts: Sequence[str]) -> list[int]:
    """Cases with one inbound message each, written as a bulk import writes them."""
    customer = customers.create_customer(
        s,
        actor=OPERATOR,
        now=clock.now(),
        name="Many complaints s.r.o.",
        language="en",
        timezone="UTC",
        currency="EUR",
        recurring_value=Decimal("100"),
    )
    now = clock.now()
    ids = list(
        s.scalars(
            insert(Case).returning(Case.id, sort_by_parameter_order=True),
            [
                {
                    "customer_id": customer.id,
                    "owner_id": owner_id,
                    "title": f"Complaint {i}",
                    "state": "new",
                    "severity": "medium",
                    "category": "other",
                    "origin": "complaint",
                    "opened_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(len(texts))
            ],
        )
    )
    s.execute(
        insert(Message),
        [
            {
                "case_id": case_id,
                "direction": "inbound",
                "channel": "email",
                "text": text,
                "at": now,
                "created_at": now,
            }
            for case_id, text in zip(ids, texts, strict=True)
        ],
    )
    return ids


def counts(s: Session) -> tuple[int, int, int]:
    return (
        s.scalar(select(func.count()).select_from(SimilarPending)) or 0,
        s.scalar(select(func.count()).select_from(CaseSketch)) or 0,
        s.scalar(select(func.count()).select_from(SimilarModel)) or 0,
    )


def test_the_triggers_queue_new_and_changed_texts_and_forget_deleted_ones(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    texts = complaints(6, seed=2)
    with transaction(sessions) as s:
        ids = load(s, clock, cast.agent.id, texts)
        assert counts(s) == (6, 0, 0)
        assert indexing.sketch_pending(s) == 6
        assert counts(s) == (0, 6, 0)
        assert set(s.scalars(select(CaseCell.cell))) == {indexing.UNCLUSTERED}
        assert s.scalar(select(func.count()).select_from(CaseCell)) == 6
    with transaction(sessions) as s:
        case = s.get(Case, ids[0])
        assert case is not None
        case.title = "Renamed: the fridge arrived dented"
        s.flush()
        # The old sketch is gone at once: the case is scored from its new text until the
        # job sketches it again.
        assert counts(s) == (1, 5, 0)
        assert ids[0] in [c for c, _ in similar.similar_cases(s, text=case.title + "\n" + texts[0])]
        s.execute(delete(Case).where(Case.id.in_(ids[:2])))
        assert counts(s) == (0, 4, 0)
        assert s.scalar(select(func.count()).select_from(CaseCell)) == 4


def test_cells_are_fitted_when_due_and_queries_answer_alike_before_during_and_after(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "FIT_FROM", 100)
    monkeypatch.setattr(indexing, "CASES_PER_CELL", 10)
    monkeypatch.setattr(indexing, "CHUNK", 50)
    texts = complaints(330, seed=9)
    queries = texts[300:]

    def top(s: Session) -> list[list[int]]:
        return [[c for c, _ in similar.similar_cases(s, text=q, k=5)] for q in queries]

    with transaction(sessions) as s:
        load(s, clock, cast.agent.id, texts[:80])
    keep_up = lambda: indexing.keep_up(lambda: transaction(sessions), now=clock.now)  # noqa: E731
    assert keep_up() == {"sketched": 80, "fitted": 0, "moved": 0, "packed": 0}  # no cells yet
    with transaction(sessions) as s:
        before = top(s)  # every sketch read: the exact answer
        load(s, clock, cast.agent.id, texts[80:150])
    assert keep_up() == {"sketched": 70, "fitted": 1, "moved": 150, "packed": 15}
    with transaction(sessions) as s:
        first = s.scalars(select(SimilarModel)).one()
        assert (first.cells, first.complete, first.cases) == (15, True, 150)
        assert s.scalar(select(func.sum(CellPack.cases))) == 150
        assert s.scalar(select(func.min(CaseCell.cell))) >= 0
        assert all(
            slot == indexing.slot(cell, case_id)
            for slot, cell, case_id in s.execute(
                select(CaseCell.slot, CaseCell.cell, CaseCell.case_id)
            )
        )
        load(s, clock, cast.agent.id, texts[150:300])
    # Half of the new cases are sketched into the first model's cells, then a model is
    # fitted at twice as many cases and the cases are moved into it 50 at a time.
    done = indexing.keep_up(lambda: transaction(sessions), now=clock.now, max_cases=150)
    assert (done["sketched"], done["fitted"], done["moved"]) == (150, 1, 150)
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(SimilarModel)) == 2  # still moving
        during = top(s)
    keep_up()
    with transaction(sessions) as s:
        second = s.scalars(select(SimilarModel)).one()
        assert (second.cells, second.complete, second.cases) == (30, True, 300)
        # The older model's packs went with it; every case of the new one is packed.
        assert s.scalar(select(func.min(CellPack.cell))) >= second.id * indexing.CELL_SPAN
        assert s.scalar(select(func.sum(CellPack.cases))) == 300
        after = top(s)
        everything = list(s.scalars(select(Case.id)))
        exact = [[c for c, _ in similar.score(s, q, everything)[:5]] for q in queries]
    assert before != after  # the later cases count
    assert during == after == exact


def test_a_window_or_a_customer_asked_about_is_kept_when_the_cells_are_read(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "FIT_FROM", 50)
    monkeypatch.setattr(indexing, "CASES_PER_CELL", 10)
    monkeypatch.setattr(similar, "SCORE_ALL_UP_TO", 5)  # so the cells are read, filtered
    texts = complaints(130, seed=4)
    with transaction(sessions) as s:
        first = load(s, clock, cast.agent.id, texts[:60])
        clock.advance(timedelta(days=3))
        later = load(s, clock, cast.agent.id, texts[60:120])
    indexing.keep_up(lambda: transaction(sessions), now=clock.now)
    with transaction(sessions) as s:
        customer = s.get(Case, first[0])
        assert customer is not None
        for query in texts[120:]:
            mine = similar.nearest(s, query, customer_id=customer.customer_id)
            assert mine and {c for c, _ in mine} <= set(first)
            since = similar.nearest(s, query, since=clock.now() - timedelta(days=1))
            assert since and {c for c, _ in since} <= set(later)
            assert [c for c, _ in since] == [c for c, _ in similar.score(s, query, later)[:10]]


def test_cases_put_in_a_packed_cell_or_changed_since_are_found_once_with_their_new_text(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "FIT_FROM", 100)
    monkeypatch.setattr(indexing, "CASES_PER_CELL", 10)
    texts = complaints(260, seed=11)
    keep_up = lambda: indexing.keep_up(lambda: transaction(sessions), now=clock.now)  # noqa: E731
    with transaction(sessions) as s:
        ids = load(s, clock, cast.agent.id, texts[:200])
    assert keep_up()["packed"] == 20
    with transaction(sessions) as s:
        # A few new cases, fewer than any cell's share: none is packed again, and they
        # are read beside the packs.
        monkeypatch.setattr(indexing, "REPACK_SHARE", 10.0)
        new = load(s, clock, cast.agent.id, texts[200:203])
    assert keep_up() == {"sketched": 3, "fitted": 0, "moved": 0, "packed": 0}
    with transaction(sessions) as s:
        assert sorted(s.scalars(select(CellUnpacked.case_id))) == new
        for case_id, query in zip(new, texts[200:203], strict=True):
            assert similar.nearest(s, query, k=1)[0][0] == case_id
        # A packed case's text changes: its pack still holds the old row until the cell
        # is packed again, but it is scored, and listed once, by its new text.
        changed = s.get(Case, ids[7])
        assert changed is not None
        changed.title = texts[230]
        # So does one of those listed beside a pack: it is sketched again (maybe into the
        # same cell) and listed once more.
        listed = s.get(Case, new[0])
        assert listed is not None
        listed.title = "Update: " + listed.title
    keep_up()
    with transaction(sessions) as s:
        found = [c for c, _ in similar.nearest(s, texts[230], k=10)]
        assert found[0] == ids[7] and found.count(ids[7]) == 1
        assert s.scalar(select(CellUnpacked.case_id).where(CellUnpacked.case_id == new[0]))
        assert similar.nearest(s, "Update: Complaint 0\n" + texts[200], k=1)[0][0] == new[0]
        everything = list(s.scalars(select(Case.id)))
        for query in texts[240:]:
            exact = [c for c, _ in similar.score(s, query, everything)[:5]]
            assert [c for c, _ in similar.nearest(s, query, k=5)] == exact
        load(s, clock, cast.agent.id, texts[203:230])
    # Any new case is now a cell's share: every cell with one is packed again, so the
    # packs hold every case once and nothing is listed beside them.
    monkeypatch.setattr(indexing, "REPACK_SHARE", 0.01)
    assert keep_up()["packed"] > 0
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(CellUnpacked)) == 0
        assert s.scalar(select(func.sum(CellPack.cases))) == 230


def test_a_case_put_in_a_cell_while_another_run_packs_it_stays_listed_beside_the_pack(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time; the race is PostgreSQL's")
    monkeypatch.setattr(indexing, "FIT_FROM", 100)
    monkeypatch.setattr(indexing, "CASES_PER_CELL", 10)
    monkeypatch.setattr(indexing, "REPACK_SHARE", 10.0)
    texts = complaints(203, seed=13)
    keep_up = lambda: indexing.keep_up(lambda: transaction(sessions), now=clock.now)  # noqa: E731
    with transaction(sessions) as s:
        load(s, clock, cast.agent.id, texts[:200])
    keep_up()
    with transaction(sessions) as s:
        load(s, clock, cast.agent.id, texts[200:201])
        (late,) = load(s, clock, cast.agent.id, texts[201:202])
    keep_up()  # both sketched into packed cells, listed beside them
    with transaction(sessions) as s:
        (cell,) = s.scalars(select(CellUnpacked.cell).where(CellUnpacked.case_id != late))
        s.execute(delete(CellUnpacked).where(CellUnpacked.case_id == late))
        s.execute(delete(CaseCell).where(CaseCell.case_id == late))
        folded = sketches.pack_rows(
            sketches.folded(sketches.Batch([s.scalars(select(CaseSketch.sketch).where(
                CaseSketch.case_id == late)).one()]))
        )[0]  # fmt: skip

    def put_late_in_the_cell() -> None:
        # What another run's sketch_pending writes, committed while this run packs.
        with transaction(sessions) as other:
            other.execute(
                insert(CaseCell),
                [{"slot": indexing.slot(cell, late), "cell": cell, "case_id": late,
                  "folded": folded}],
            )  # fmt: skip
            other.execute(insert(CellUnpacked), [{"cell": cell, "case_id": late}])

    pack_cell = sketches.pack_cell
    calls: list[int] = []

    def packing(case_ids: Sequence[int], blobs: Sequence[bytes]) -> bytes:
        if not calls:
            put_late_in_the_cell()
        calls.append(len(case_ids))
        return pack_cell(case_ids, blobs)

    monkeypatch.setattr(sketches, "pack_cell", packing)
    monkeypatch.setattr(indexing, "REPACK_SHARE", 0.01)
    with transaction(sessions) as s:
        assert indexing.pack_cells(s) >= 1
    with transaction(sessions) as s:
        # The pack was made from the rows read before the late case was put in; the
        # case stays listed beside it, so a query still finds it.
        assert list(s.scalars(select(CellUnpacked.case_id))) == [late]
        assert similar.nearest(s, texts[201], k=1)[0][0] == late
