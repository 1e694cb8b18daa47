"""A reply that promises compensation nobody has approved waits, unsent, for a manager."""

from __future__ import annotations

from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Notification, TimelineEvent
from amends.cases.rules import Category, Origin, Severity, Step
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.messages import outbox
from amends.messages.models import Message, OutboxItem
from amends.people.rules import OPERATOR, Actor
from amends.recovery import conversation, flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.messages.conftest import Inbox
from tests.messages.helpers import replace_settings

PROMISE = (
    "ขออภัยอย่างยิ่งค่ะ ความผิดพลาดครั้งนี้เป็นความรับผิดชอบของเรา "
    "เราส่งรายงานให้แล้ววันนี้ และเพิ่มเครดิต 5,000 บาทให้ในบัญชีของคุณ"
)


def promise_credit(sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast) -> int:
    """An agent's reply carrying a 5,000 THB credit: above what an agent may give alone."""
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name="บริษัท ริมน้ำ จำกัด",
            language="th",
            timezone="Asia/Bangkok",
            currency="THB",
            recurring_value=Decimal("7000"),
            contacts=[
                customers.ContactInput(name="คุณนิด", email="nid@rimnam.example", is_primary=True)
            ],
        )
        case = flows.open_case(
            s,
            actor=agent,
            now=clock.now(),
            customer_id=customer.id,
            owner_id=cast.agent.id,
            title="รายงานการตลาดไม่มา",
            severity=Severity.MEDIUM,
            category=Category.MISSED_COMMITMENT,
            origin=Origin.COMPLAINT,
            playbook=PLAYBOOK,
        )
        sent = conversation.send_reply(
            s,
            case.id,
            actor=agent,
            now=clock.now(),
            playbook=PLAYBOOK,
            text=PROMISE,
            steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
            compensation=flows.CompensationInput("credit", Decimal("5000"), None, "a month"),
        )
        assert sent.steps.held == [Step.COMPENSATE]
        assert sent.outbox.status == "held"
        assert sent.steps.compensation_id is not None
        return sent.steps.compensation_id


def decide(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, item: int, approve: bool
) -> None:
    with transaction(sessions) as s:
        flows.decide_compensation(
            s,
            item,
            actor=Actor(cast.manager.id, cast.manager.role),
            now=clock.now(),
            playbook=PLAYBOOK,
            approve=approve,
            note="ok" if approve else "too much for a first miss",
        )


def told(sessions: sessionmaker[Session], user_id: int) -> list[str]:
    with transaction(sessions) as s:
        return list(s.scalars(select(Notification.kind).where(Notification.user_id == user_id)))


def test_a_reply_with_compensation_above_the_limit_is_sent_only_after_approval(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    cfg = replace_settings(settings, smtp_port=port)
    item = promise_credit(sessions, clock, cast)
    outbox.drain(sessions, cfg, now=clock.now())
    assert inbox.received == []  # nobody approved the credit: the customer reads nothing
    decide(sessions, clock, cast, item, approve=True)
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 1
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 0
    assert len(inbox.received) == 1
    mail = message_from_bytes(inbox.received[0], policy=policy.default)
    assert mail.get_content().strip() == PROMISE  # type: ignore[attr-defined]
    assert "compensation_approved" in told(sessions, cast.agent.id)
    with transaction(sessions) as s:
        kinds = list(s.scalars(select(TimelineEvent.kind).order_by(TimelineEvent.id)))
    assert kinds.index("reply_held") < kinds.index("reply_released")


@pytest.mark.parametrize("drain_first", [True, False])
def test_a_declined_compensation_sends_its_reply_back_to_the_agent_as_a_draft(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
    drain_first: bool,
) -> None:
    inbox, port = smtp_server
    cfg = replace_settings(settings, smtp_port=port)
    item = promise_credit(sessions, clock, cast)
    if drain_first:
        outbox.drain(sessions, cfg, now=clock.now())
    decide(sessions, clock, cast, item, approve=False)
    outbox.drain(sessions, cfg, now=clock.now())
    assert inbox.received == []
    with transaction(sessions) as s:
        (row,) = s.scalars(select(OutboxItem))
        reply = s.get(Message, row.message_id)
        assert reply is not None
        assert (row.status, reply.is_draft) == ("cancelled", True)
    assert "compensation_declined" in told(sessions, cast.agent.id)
