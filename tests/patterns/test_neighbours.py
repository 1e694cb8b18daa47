"""The question repeats and patterns ask: which cases of a window (of one customer) read
like this one. Answered by the one similarity engine, from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.cases.rules import Category
from amends.db import transaction
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.patterns import similar, textsim
from amends.patterns.textsim import cosine, profile
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
                # Opened a minute apart, all before now: a time ahead is refused.
                now=T0 + timedelta(minutes=len(titles)),
                playbook=PLAYBOOK,
                category=Category.OTHER,
                opened_at=T0 + timedelta(minutes=i),
            )
            made[case.id] = title
    return made


WINDOW = {"since": T0 - timedelta(days=1), "until": T0 + timedelta(days=1)}


def _near(s: Session, case_id: int, **kwargs: object) -> list[tuple[int, float]]:
    return similar.nearest(
        s, similar.text_of(s, case_id), k=100, exclude=[case_id], **{**WINDOW, **kwargs}
    )


@pytest.mark.parametrize("source", ["every case of the window", "the trigram index"])
def test_the_courier_complaints_find_each_other_with_exact_scores(
    sessions: sessionmaker[Session], cast: Cast, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "the trigram index":
        monkeypatch.setattr(similar, "SCORE_ALL_UP_TO", 0)  # a window too big to score whole
    texts = _cases(sessions, cast)
    courier = {cid for cid, title in texts.items() if title in {c.complaint for c in COURIER}}
    with sessions() as s:
        for case_id, title in texts.items():
            got = _near(s, case_id)
            if len(title) < textsim.MIN_TEXT_CHARS:
                assert got == []  # too short to say anything
                continue
            assert case_id not in [cid for cid, _ in got]
            assert all(len(texts[cid]) >= textsim.MIN_TEXT_CHARS for cid, _ in got)
            # Each score is the one scorer's, on the case texts (the title only here).
            for cid, score in got:
                assert score == pytest.approx(
                    cosine(profile(title), profile(texts[cid])), abs=1e-12
                )
            assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
            if case_id == min(courier):
                # The Slovak courier complaint's nearest is another courier complaint.
                assert got[0][0] in courier and got[0][1] > 0.2


def test_only_the_window_and_the_customer_asked_about_are_searched(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    texts = _cases(sessions, cast)
    first, *_ = sorted(texts)
    with sessions() as s:
        assert _near(s, first)
        later = {"since": T0 + timedelta(hours=1), "until": T0 + timedelta(days=1)}
        assert _near(s, first, **later) == []
        case = s.get(Case, first)
        assert case is not None
        assert _near(s, first, customer_id=case.customer_id) == _near(s, first)
        assert _near(s, first, customer_id=case.customer_id + 1000) == []


def test_a_new_message_counts_at_once(sessions: sessionmaker[Session], cast: Cast) -> None:
    texts = _cases(sessions, cast)
    first = min(texts)
    with sessions() as s:
        before = _near(s, first)
    with transaction(sessions) as s:
        messages.record_message(
            s,
            actor=SYSTEM,
            now=T0,
            playbook=PLAYBOOK,
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            text="Faktúra za február bola vystavená dvakrát, prosím o dobropis.",
            case_id=first,
        )
        assert _near(s, first) != before
