"""Sending through the outbox to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.cases.rules import Category, Origin, Severity, Step
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.messages import outbox
from amends.messages import service as messages
from amends.messages.models import OutboxItem
from amends.people.rules import OPERATOR, Actor
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast, free_port
from tests.messages.conftest import Inbox

THAI_REPLY = "เราขอโทษครับ ความผิดพลาดครั้งนี้เป็นความผิดของเราเอง เราจัดส่งสินค้าใหม่ให้แล้ววันนี้"


def make_replies(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    n: int,
    *,
    email: str = "somsri@baansuan.example",
    name: str = "ร้านดอกไม้บ้านสวน",
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name=name,
            language="th",
            timezone="Asia/Bangkok",
            currency="THB",
            recurring_value=Decimal("6500"),
            contacts=[customers.ContactInput(name="สมศรี", email=email, is_primary=True)],
        )
        for i in range(n):
            case = cases.open_case(
                s,
                actor=agent,
                now=clock.now(),
                customer_id=customer.id,
                owner_id=agent.user_id or 0,
                title=f"ดอกไม้ส่งผิดร้าน {i}",
                severity=Severity.LOW,
                category=Category.WRONG_ITEM,
                origin=Origin.COMPLAINT,
                playbook=PLAYBOOK,
            )
            messages.send_reply(
                s,
                case.id,
                actor=agent,
                now=clock.now(),
                playbook=PLAYBOOK,
                text=THAI_REPLY,
                steps=[Step.OWN, Step.REMEDY],
            )


def test_reply_is_sent_once_with_its_text_intact(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    cfg = replace_settings(settings, smtp_port=port, mail_from="care@baansuan-service.example")
    make_replies(sessions, clock, cast, 1)
    assert outbox.drain(sessions, cfg, now=clock.now()) == {
        "sent": 1,
        "retry": 0,
        "failed": 0,
        "uncertain": 0,
        "held": 0,
    }
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 0
    assert len(inbox.received) == 1
    mail = message_from_bytes(inbox.received[0], policy=policy.default)
    assert mail["To"] == "somsri@baansuan.example"
    assert mail["Subject"].startswith("[C-1] ดอกไม้ส่งผิดร้าน 0")
    assert mail["Content-Language"] == "th"
    assert mail["Message-ID"].endswith("@baansuan-service.example>")
    assert mail.get_content().strip() == THAI_REPLY
    with transaction(sessions) as s:
        item = s.scalars(select(OutboxItem)).one()
        assert (item.status, item.attempts, item.sent_at) == ("sent", 1, clock.now())


def test_unreachable_server_is_retried_with_backoff(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    make_replies(sessions, clock, cast, 1)
    down = replace_settings(settings, smtp_port=free_port(), smtp_timeout=2)
    assert outbox.drain(sessions, down, now=clock.now())["retry"] == 1
    with transaction(sessions) as s:
        item = s.scalars(select(OutboxItem)).one()
        assert item.status == "pending"
        assert item.next_attempt_at == clock.now() + timedelta(minutes=1)
        assert "ConnectionRefusedError" in item.last_error
    up = replace_settings(settings, smtp_port=port)
    assert outbox.drain(sessions, up, now=clock.now())["sent"] == 0  # not due yet
    clock.advance(timedelta(minutes=1))
    assert outbox.drain(sessions, up, now=clock.now())["sent"] == 1
    assert len(inbox.received) == 1


def test_a_sender_that_died_mid_send_is_never_resent_blindly(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    make_replies(sessions, clock, cast, 1)
    with transaction(sessions) as s:
        assert len(outbox.claim(s, worker="crashed", now=clock.now()).ids) == 1
    clock.advance(outbox.LEASE + timedelta(minutes=1))
    result = outbox.drain(sessions, replace_settings(settings, smtp_port=port), now=clock.now())
    assert result == {"sent": 0, "retry": 0, "failed": 0, "uncertain": 1, "held": 0}
    assert inbox.received == []


def test_two_workers_draining_together_send_each_message_exactly_once(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    make_replies(sessions, clock, cast, 40)
    # All 40 go to one address: lift the hourly cap, which has its own tests.
    cfg = replace_settings(settings, smtp_port=port, reply_cap_per_hour=100)
    barrier = threading.Barrier(2)
    totals: list[dict[str, int]] = []

    def work(name: str) -> None:
        barrier.wait()
        for _ in range(5):
            totals.append(outbox.drain(sessions, cfg, now=clock.now(), worker=name))

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(t["sent"] for t in totals) == 40
    ids = [message_from_bytes(m, policy=policy.default)["Message-ID"] for m in inbox.received]
    assert len(ids) == 40
    assert len(set(ids)) == 40
    with transaction(sessions) as s:
        claimed_by = set(s.scalars(select(OutboxItem.claimed_by)))
        assert s.scalars(select(OutboxItem.status)).all() == ["sent"] * 40
    assert claimed_by == {"worker-0", "worker-1"}  # both really took part


def replace_settings(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)
