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
from amends.patterns import indexing, similar
from amends.patterns.models import CaseCell, CaseSketch, SimilarModel, SimilarPending
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
    assert keep_up() == {"sketched": 80, "fitted": 0, "moved": 0}  # too few for cells
    with transaction(sessions) as s:
        before = top(s)  # every sketch read: the exact answer
        load(s, clock, cast.agent.id, texts[80:150])
    assert keep_up() == {"sketched": 70, "fitted": 1, "moved": 150}
    with transaction(sessions) as s:
        first = s.scalars(select(SimilarModel)).one()
        assert (first.cells, first.complete, first.cases) == (15, True, 150)
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
    assert indexing.keep_up(lambda: transaction(sessions), now=clock.now, max_cases=150) == {
        "sketched": 150, "fitted": 1, "moved": 150}  # fmt: skip
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(SimilarModel)) == 2  # still moving
        during = top(s)
    keep_up()
    with transaction(sessions) as s:
        second = s.scalars(select(SimilarModel)).one()
        assert (second.cells, second.complete, second.cases) == (30, True, 300)
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
