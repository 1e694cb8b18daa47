"""The search's word index (``cases.words``) holds what the cases hold, after every
kind of change: opening, a message, a new title, a merge and its undo, a split,
erasure."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.cases.models import Case, CaseWord
from amends.clock import FrozenClock
from amends.db import transaction
from amends.messages import service as messages
from amends.messages.models import Message
from amends.messages.rules import Channel, Direction
from amends.people.rules import OPERATOR
from amends.privacy import erase
from amends.recovery import flows, merging, splitting
from amends.text.words import index_words
from tests.conftest import DEFAULT_PLAYBOOK, Cast
from tests.patterns.helpers import COURIER, add_shop


def _kept(s: Session) -> set[tuple[str, int]]:
    return {(w, cid) for w, cid in s.execute(select(CaseWord.word, CaseWord.case_id))}


def _recomputed(s: Session) -> set[tuple[str, int]]:
    found = {
        (w, cid)
        for cid, title in s.execute(select(Case.id, Case.title))
        for w in index_words(title)
    }
    for cid, subject, text in s.execute(select(Message.case_id, Message.subject, Message.text)):
        if cid is not None:
            found |= {(w, cid) for w in index_words(f"{subject} {text}")}
    return found


def _say(s: Session, clock: FrozenClock, case_id: int, text: str) -> Message:
    return messages.record_message(
        s,
        actor=OPERATOR,
        now=clock.now(),
        direction=Direction.INBOUND,
        channel=Channel.EMAIL,
        subject="Objednávka",
        text=text,
        case_id=case_id,
        playbook=DEFAULT_PLAYBOOK,
    )


def test_the_word_index_follows_every_kind_of_change(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, tmp_path: Path
) -> None:
    def check() -> None:
        with transaction(sessions) as s:
            kept = _kept(s)
            assert kept == _recomputed(s)
            assert kept  # something was indexed

    with transaction(sessions) as s:
        shop = add_shop(s, COURIER[0], now=clock.now())
        thai = add_shop(s, COURIER[1], now=clock.now())
        opened = [
            flows.open_case(
                s,
                actor=OPERATOR,
                now=clock.now(),
                customer_id=customer,
                owner_id=cast.agent.id,
                title=title,
                playbook=DEFAULT_PLAYBOOK,
            )
            for customer, title in ((shop, "Rozbitá váza"), (shop, "Faktúra"), (thai, "สินค้า"))
        ]
        vase, bill, goods = (c.id for c in opened)
    check()
    with transaction(sessions) as s:
        first = _say(s, clock, vase, "Kuriér Rýchlo Expres nechal vázu pred bránou.").id
        _say(s, clock, bill, "Faktúra prišla dvakrát.")
        _say(s, clock, goods, "สินค้ามาถึงช้ามากและกล่องเสียหาย")
    check()
    with transaction(sessions) as s:
        cases.update_case(
            s,
            vase,
            actor=OPERATOR,
            now=clock.now(),
            playbook=DEFAULT_PLAYBOOK,
            changes={"title": "Stratená zásielka"},
        )
    check()
    with transaction(sessions) as s:
        assert ("rozbita", vase) not in _kept(s)
        merging.merge_cases(
            s, bill, into=vase, actor=OPERATOR, now=clock.now(), playbook=DEFAULT_PLAYBOOK
        )
    check()
    with transaction(sessions) as s:
        assert ("dvakrat", vase) in _kept(s) and ("dvakrat", bill) not in _kept(s)
        merging.undo_merge(
            s,
            bill,
            actor=OPERATOR,
            now=clock.now() + timedelta(minutes=1),
            playbook=DEFAULT_PLAYBOOK,
        )
    check()
    with transaction(sessions) as s:
        _say(s, clock, vase, "Prosíme o náhradu.")
        split = splitting.split_case(
            s, vase, message_ids=[first], actor=OPERATOR, now=clock.now(), playbook=DEFAULT_PLAYBOOK
        )
        assert ("expres", split.id) in _kept(s) and ("expres", vase) not in _kept(s)
    check()
    with transaction(sessions) as s:
        erase.erase_cases(s, case_ids=[goods], now=clock.now())
        assert not {w for w, cid in _kept(s) if cid == goods} & index_words("กล่องเสียหาย")
    check()
