"""The neighbour search scores with arrays; it must agree with the plain cosine of
``textsim`` on the same texts, whatever its vocabulary went through."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.cases.rules import Category
from amends.db import transaction
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.patterns import neighbours
from amends.patterns.textsim import rank
from amends.people.rules import SYSTEM
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.patterns.helpers import COURIER, add_shop, open_courier_case

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
OTHERS = [
    "Faktúra za február bola vystavená dvakrát, prosím o dobropis.",
    "ใบแจ้งหนี้เดือนกุมภาพันธ์ถูกเรียกเก็บเงินซ้ำสองครั้ง",
    "Η τιμολόγηση του Φεβρουαρίου χρεώθηκε δύο φορές.",
    "The February invoice was charged twice, please refund one.",
    "ok",  # too short to compare: never a neighbour
]


@pytest.fixture(autouse=True)
def _fresh_vectors() -> Iterator[None]:
    # A test that swaps the vocabulary leaves cached vectors whose columns point into
    # its own: no later test may see them.
    neighbours._vector.cache_clear()
    yield
    neighbours._vector.cache_clear()


def _cases(sessions: sessionmaker[Session], cast: Cast) -> dict[int, str]:
    titles = [shop.complaint for shop in COURIER] + OTHERS
    made: dict[int, str] = {}
    with transaction(sessions) as s:
        customer = add_shop(s, COURIER[0], now=T0)
        for i, title in enumerate(titles):
            case = open_courier_case(
                s,
                customer_id=customer,
                owner_id=cast.agent.id,
                title=title,
                now=T0,
                playbook=PLAYBOOK,
                category=Category.OTHER,
                opened_at=T0 + timedelta(minutes=i),
            )
            made[case.id] = title
    return made


@pytest.mark.parametrize("room", ["roomy", "resets", "overflows"])
def test_scores_equal_the_plain_cosine(
    sessions: sessionmaker[Session], cast: Cast, monkeypatch: pytest.MonkeyPatch, room: str
) -> None:
    # "resets": before each search the vocabulary is all but full, so it starts again in
    # the middle of the search. "overflows": one search's texts alone do not fit.
    limit = {"roomy": neighbours.VOCABULARY_LIMIT, "resets": 5000, "overflows": 40}[room]
    monkeypatch.setattr(neighbours, "VOCABULARY_LIMIT", limit)
    monkeypatch.setattr(neighbours, "_vocabulary", {})
    neighbours._vector.cache_clear()
    texts = _cases(sessions, cast)
    with sessions() as s:
        for case_id, title in texts.items():
            if room == "resets":
                neighbours._vector.cache_clear()
                neighbours._vocabulary.update((f"x{i}", i) for i in range(limit - 50))
            case = s.get(Case, case_id)
            assert case is not None
            got = neighbours.similar_to(
                s, case, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)
            )
            others = {cid: text for cid, text in texts.items() if cid != case_id}
            if len(title) < neighbours.MIN_TEXT_CHARS:
                assert got == []
                continue
            expected = [
                (cid, score)
                for cid, score in rank(title, others, limit=100)
                if len(others[cid]) >= neighbours.MIN_TEXT_CHARS
            ]
            assert [cid for cid, _ in got] == [cid for cid, _ in expected]
            assert [score for _, score in got] == pytest.approx(
                [score for _, score in expected], abs=1e-12
            )
    if room == "resets":
        assert neighbours._generation[0] > 0
    # The courier complaints find each other; the invoices stay apart from them.
    with sessions() as s:
        first = s.get(Case, min(texts))
        assert first is not None
        best = neighbours.similar_to(
            s, first, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)
        )
    assert best[0][1] > 0.2
    assert texts[best[0][0]] in {shop.complaint for shop in COURIER}


def test_held_texts_give_the_same_answers_and_are_read_once(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    texts = _cases(sessions, cast)
    window = {"since": T0 - timedelta(days=1), "until": T0 + timedelta(days=1)}
    with sessions() as s:
        cases = [s.get(Case, case_id) for case_id in texts]
        plain = [neighbours.similar_to(s, c, **window) for c in cases if c is not None]
    reads: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM messages" in statement or "JOIN messages" in statement:
            reads.append(statement)

    with sessions() as s:
        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            cases = [s.get(Case, case_id) for case_id in texts]
            with neighbours.texts_held(s):
                held = [neighbours.similar_to(s, c, **window) for c in cases if c is not None]
                assert s.info
            assert not s.info  # nothing held once the block ends
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert held == plain
    # The first search reads its own text and the window's; every later one finds all
    # of them held.
    assert len(reads) == 2
    # Outside a block a case's new message counts at once.
    with transaction(sessions) as s:
        first = s.get(Case, min(texts))
        assert first is not None
        messages.record_message(
            s,
            actor=SYSTEM,
            now=T0,
            playbook=PLAYBOOK,
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            text="Faktúra za február bola vystavená dvakrát, prosím o dobropis.",
            case_id=first.id,
        )
    with sessions() as s:
        first = s.get(Case, min(texts))
        assert first is not None
        assert neighbours.similar_to(s, first, **window) != plain[0]
