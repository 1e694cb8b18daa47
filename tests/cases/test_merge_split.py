"""Merging a case into another of the same customer, undoing it, and splitting messages
off into a new case: everything moves, in time order, and comes back exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.cases.merges import merged_into
from amends.cases.models import Case, TimelineEvent
from amends.cases.rules import Category, Origin, Severity, Step
from amends.clock import FrozenClock
from amends.compensation.models import Compensation
from amends.compensation.rules import CompensationStatus
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.errors import Conflict, InvalidInput
from amends.intake.pipeline import IntakeContext, ingest
from amends.messages import service as messages
from amends.messages.models import Message
from amends.messages.rules import Channel, Direction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows, merging, splitting
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

SOMSRI = "somsri@baansuan.example"


@dataclass
class Pair:
    customer_id: int
    target: int
    source: int
    source_keys: list[str]


def _customer(s: Session, clock: FrozenClock, name: str, email: str) -> int:
    return customers.create_customer(
        s,
        actor=OPERATOR,
        now=clock.now(),
        name=name,
        language="th",
        timezone="Asia/Bangkok",
        currency="THB",
        recurring_value=Decimal("6500"),
        contacts=[customers.ContactInput(name="สมศรี", email=email, is_primary=True)],
    ).id


def _case(s: Session, clock: FrozenClock, cast: Cast, customer_id: int, title: str) -> Case:
    return flows.open_case(
        s,
        actor=Actor(cast.agent.id, cast.agent.role),
        now=clock.now(),
        customer_id=customer_id,
        owner_id=cast.agent.id,
        title=title,
        severity=Severity.LOW,
        category=Category.WRONG_ITEM,
        origin=Origin.COMPLAINT,
        playbook=PLAYBOOK,
    )


def _inbound(s: Session, clock: FrozenClock, case_id: int, text: str, key: str) -> None:
    messages.record_message(
        s,
        actor=OPERATOR,
        now=clock.now(),
        direction=Direction.INBOUND,
        channel=Channel.EMAIL,
        text=text,
        subject="ดอกไม้ส่งผิดร้าน",
        language="th",
        case_id=case_id,
        from_address=SOMSRI,
        message_key=key,
        playbook=PLAYBOOK,
    )


def _pair(sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast) -> Pair:
    """A Thai customer's two cases: the target with one message, then the source with two
    messages from the customer, the call that answered them and a granted compensation."""
    manager = Actor(cast.manager.id, cast.manager.role)
    with transaction(sessions) as s:
        customer_id = _customer(s, clock, "ร้านดอกไม้บ้านสวน", SOMSRI)
        target = _case(s, clock, cast, customer_id, "ดอกไม้ส่งผิดร้าน")
        _inbound(s, clock, target.id, "ดอกไม้ที่สั่งไปส่งผิดร้านค่ะ", "a1.somsri@baansuan.example")
        clock.advance(timedelta(minutes=20))
        source = _case(s, clock, cast, customer_id, "ดอกไม้ส่งผิดร้านอีกครั้ง")
        _inbound(s, clock, source.id, "ยังไม่ได้รับดอกไม้ที่ถูกต้องเลยค่ะ", "b1.somsri@baansuan.example")
        clock.advance(timedelta(minutes=10))
        _inbound(s, clock, source.id, "งานแต่งงานพรุ่งนี้แล้วนะคะ", "b2.somsri@baansuan.example")
        clock.advance(timedelta(minutes=10))
        flows.perform_steps(
            s,
            source.id,
            actor=manager,
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=[Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY, Step.COMPENSATE],
            call_note="โทรขอโทษคุณสมศรีแล้ว ส่งดอกไม้ใหม่ให้วันนี้",
            compensation=flows.CompensationInput(
                "credit", Decimal("1500"), "THB", "ชดเชยความเสียหาย"
            ),
        )
        return Pair(
            customer_id,
            target.id,
            source.id,
            ["b1.somsri@baansuan.example", "b2.somsri@baansuan.example"],
        )


def _state(s: Session, case_id: int) -> dict[str, Any]:
    case = s.get(Case, case_id)
    assert case is not None
    return {
        "fields": {k: merging._encode(getattr(case, k)) for k in merging._COLUMNS},
        "messages": list(
            s.scalars(select(Message.id).where(Message.case_id == case_id).order_by(Message.id))
        ),
        "compensations": list(
            s.scalars(select(Compensation.id).where(Compensation.case_id == case_id))
        ),
        "events": list(s.scalars(select(TimelineEvent.id).where(TimelineEvent.case_id == case_id))),
    }


def _answer(key: str, text: str, clock: FrozenClock) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"สมศรี <{SOMSRI}>"
    mail["To"] = "care@amends-test.example"
    mail["Subject"] = "Re: ดอกไม้ส่งผิดร้าน"
    mail["Message-ID"] = "<c1.somsri@baansuan.example>"
    mail["In-Reply-To"] = f"<{key}>"
    mail["References"] = f"<{key}>"
    mail["Date"] = format_datetime(clock.now())
    mail.set_content(text)
    return mail.as_bytes()


def test_a_thai_case_merged_into_another_moves_everything_mail_follows_and_undo_restores_both(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    tmp_path: Path,
) -> None:
    pair = _pair(sessions, clock, cast)
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        before_source, before_target = _state(s, pair.source), _state(s, pair.target)
    # Two messages from the customer (and the call that acknowledged them), one gift.
    assert len(before_source["messages"]) == 3 and len(before_source["compensations"]) == 1
    clock.advance(timedelta(minutes=5))
    with transaction(sessions) as s:
        merging.merge_cases(
            s, pair.source, into=pair.target, actor=agent, now=clock.now(), playbook=PLAYBOOK
        )
    with transaction(sessions) as s:
        target = s.get(Case, pair.target)
        source = s.get(Case, pair.source)
        assert target is not None and source is not None
        thread = messages.list_messages(s, actor=agent, case_id=pair.target).items
        # Every message, in time order: the target's own first, then the source's two.
        assert [m.id for m in thread] == before_target["messages"] + before_source["messages"]
        assert [m.at for m in thread] == sorted(m.at for m in thread)
        given = s.scalars(select(Compensation).where(Compensation.case_id == pair.target)).all()
        assert [(c.amount, c.status) for c in given] == [
            (Decimal("1500.00"), CompensationStatus.GRANTED)
        ]
        events = cases.timeline(s, pair.target, actor=agent)
        assert set(before_source["events"]) <= {e.id for e in events}
        assert [(e.at, e.id) for e in events] == sorted((e.at, e.id) for e in events)
        assert events[-1].kind == "merged_in"
        # The steps the source did are the target's now; the source is a closed stub.
        assert {"acknowledge", "own", "remedy", "compensate"} <= set(target.steps_done.split(","))
        assert source.state == "closed" and merged_into(s, pair.source) == pair.target
        assert [e.kind for e in cases.timeline(s, pair.source, actor=agent)] == ["merged_into"]
        assert target.repeat_of is None  # it no longer repeats what it now holds
        # The earliest deadline of each clock is kept.
        assert target.ack_due_at == min(
            merging._decode("ack_due_at", before_target["fields"]["ack_due_at"]),
            merging._decode("ack_due_at", before_source["fields"]["ack_due_at"]),
        )

    # The customer answers the merged case's last message: it lands in the target.
    clock.advance(timedelta(minutes=5))
    ctx = IntakeContext(settings.model_copy(update={"home": tmp_path}), sessions, clock, PLAYBOOK)
    result = ingest(
        ctx,
        _answer(pair.source_keys[-1], "ขอบคุณค่ะ ได้รับดอกไม้แล้ว", clock),
        source="test",
    )
    assert result.case_id == pair.target

    clock.advance(timedelta(hours=1))
    with transaction(sessions) as s:
        merging.undo_merge(s, pair.source, actor=agent, now=clock.now(), playbook=PLAYBOOK)
    with transaction(sessions) as s:
        after_source, after_target = _state(s, pair.source), _state(s, pair.target)
        late = s.scalar(
            select(Message.id).where(Message.message_key == "c1.somsri@baansuan.example")
        )
        assert merged_into(s, pair.source) is None
    assert after_source["messages"] == before_source["messages"]
    assert after_source["compensations"] == before_source["compensations"]
    assert set(before_source["events"]) <= set(after_source["events"])
    assert after_target["messages"] == [*before_target["messages"], late]
    assert after_target["compensations"] == []
    changed = {"updated_at", "last_inbound_at", "waiting_since", "urgency_at"}
    for field in set(merging._COLUMNS) - {"updated_at"}:
        assert after_source["fields"][field] == before_source["fields"][field], field
    for field in set(merging._COLUMNS) - changed:
        assert after_target["fields"][field] == before_target["fields"][field], field


def test_a_merge_across_customers_is_refused(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        one = _case(s, clock, cast, _customer(s, clock, "ร้านหนึ่ง", "one@shop.example"), "หนึ่ง")
        two = _case(s, clock, cast, _customer(s, clock, "ร้านสอง", "two@shop.example"), "สอง")
        with pytest.raises(Conflict) as refused:
            merging.merge_cases(
                s, two.id, into=one.id, actor=agent, now=clock.now(), playbook=PLAYBOOK
            )
    assert refused.value.code == "merge-other-customer"


def test_a_case_from_a_contact_of_the_same_customer_can_be_merged(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        shop = _customer(s, clock, "ร้านดอกไม้บ้านสวน", SOMSRI)
        lead = _customer(s, clock, "somsri", "lead@elsewhere.example")
        target = _case(s, clock, cast, shop, "ดอกไม้ส่งผิดร้าน")
        source = _case(s, clock, cast, lead, "ดอกไม้")
        _inbound(s, clock, source.id, "ดอกไม้ผิดร้านค่ะ", "x1.somsri@baansuan.example")
        merging.merge_cases(
            s, source.id, into=target.id, actor=agent, now=clock.now(), playbook=PLAYBOOK
        )
        moved = s.scalars(select(Message).where(Message.case_id == target.id)).all()
        assert [m.customer_id for m in moved] == [shop]


def test_undo_after_24_hours_is_refused(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    pair = _pair(sessions, clock, cast)
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        merging.merge_cases(
            s, pair.source, into=pair.target, actor=agent, now=clock.now(), playbook=PLAYBOOK
        )
    clock.advance(timedelta(hours=24, minutes=1))
    with transaction(sessions) as s, pytest.raises(Conflict) as refused:
        merging.undo_merge(s, pair.source, actor=agent, now=clock.now(), playbook=PLAYBOOK)
    assert refused.value.code == "merge-undo-expired"


def test_split_moves_chosen_messages_into_a_new_case_with_its_own_clocks_category_and_owner(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    pair = _pair(sessions, clock, cast)
    agent = Actor(cast.agent.id, cast.agent.role)
    clock.advance(timedelta(hours=2))
    with transaction(sessions) as s:
        original = _state(s, pair.source)
        last = original["messages"][-1]
        with pytest.raises(InvalidInput) as all_of_them:
            splitting.split_case(
                s,
                pair.source,
                message_ids=original["messages"],
                actor=agent,
                now=clock.now(),
                playbook=PLAYBOOK,
            )
        assert all_of_them.value.code == "split-all"
        new = splitting.split_case(
            s,
            pair.source,
            message_ids=[last],
            actor=agent,
            now=clock.now(),
            playbook=PLAYBOOK,
            category=Category.LATE_DELIVERY,
            owner_id=cast.manager.id,
        )
        moved = s.get(Message, last)
        assert moved is not None and moved.case_id == new.id
        assert new.customer_id == pair.customer_id and new.owner_id == cast.manager.id
        assert new.category == Category.LATE_DELIVERY and new.opened_at == moved.at
        assert new.ack_due_at is not None and new.ack_due_at > moved.at
        assert [e.kind for e in cases.timeline(s, new.id, actor=agent)][-1] == "split_from"
        kinds = [e.kind for e in cases.timeline(s, pair.source, actor=agent)]
        assert kinds[-1] == "split"
        left = s.scalars(select(Message.id).where(Message.case_id == pair.source)).all()
        assert list(left) == original["messages"][:-1]


def test_mail_naming_the_merged_cases_ref_lands_in_the_target(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    tmp_path: Path,
) -> None:
    pair = _pair(sessions, clock, cast)
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        merging.merge_cases(
            s, pair.source, into=pair.target, actor=agent, now=clock.now(), playbook=PLAYBOOK
        )
    mail = EmailMessage()
    mail["From"] = f"สมศรี <{SOMSRI}>"
    mail["To"] = "care@amends-test.example"
    mail["Subject"] = f"เรื่องดอกไม้อีกครั้ง [C-{pair.source}]"
    mail["Message-ID"] = "<d1.somsri@baansuan.example>"
    mail["Date"] = format_datetime(clock.now())
    mail.set_content("ร้านยังไม่ได้ติดต่อกลับเลยค่ะ")
    ctx = IntakeContext(settings.model_copy(update={"home": tmp_path}), sessions, clock, PLAYBOOK)
    assert ingest(ctx, mail.as_bytes(), source="test").case_id == pair.target
