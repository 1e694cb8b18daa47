"""Sending through the outbox to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.messages import outbox
from amends.messages.models import OutboxItem
from tests.conftest import Cast, free_port
from tests.messages.conftest import Inbox
from tests.messages.helpers import THAI_REPLY, drain_together, make_replies, replace_settings


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
    assert mail["Subject"] == "ดอกไม้ส่งผิดร้าน 0 [C-1]"
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
        [item_id] = outbox.claim(s, worker="crashed", now=clock.now()).ids
    with transaction(sessions) as s:
        assert outbox.hand_over(s, item_id, worker="crashed")  # then it died in SMTP
    clock.advance(outbox.LEASE + timedelta(minutes=1))
    result = outbox.drain(sessions, replace_settings(settings, smtp_port=port), now=clock.now())
    assert result == {"sent": 0, "retry": 0, "failed": 0, "uncertain": 1, "held": 0}
    assert inbox.received == []


def test_what_a_dead_sender_never_handed_over_is_sent_by_another(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    make_replies(sessions, clock, cast, 3)
    with transaction(sessions) as s:
        claimed = outbox.claim(s, worker="crashed", now=clock.now()).ids
    assert len(claimed) == 3
    with transaction(sessions) as s:
        assert outbox.hand_over(s, claimed[0], worker="crashed")  # died sending the first
    cfg = replace_settings(settings, smtp_port=port)
    # Within the lease the rows are still the dead sender's: nothing is sent.
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 0
    clock.advance(outbox.LEASE + timedelta(minutes=1))
    result = outbox.drain(sessions, cfg, now=clock.now())
    assert result == {"sent": 2, "retry": 0, "failed": 0, "uncertain": 1, "held": 0}
    assert len(inbox.received) == 2
    with transaction(sessions) as s:
        statuses = dict(s.execute(select(OutboxItem.id, OutboxItem.status)).all())
    assert statuses == {claimed[0]: "uncertain", claimed[1]: "sent", claimed[2]: "sent"}
    # A sender that lost its claim to the lease cannot hand the row over any more.
    with transaction(sessions) as s:
        assert not outbox.hand_over(s, claimed[1], worker="crashed")


@pytest.mark.slow
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
    totals = drain_together(sessions, cfg, now=clock.now(), rounds=5)
    assert sum(t["sent"] for t in totals) == 40
    ids = [message_from_bytes(m, policy=policy.default)["Message-ID"] for m in inbox.received]
    assert len(ids) == 40
    assert len(set(ids)) == 40
    with transaction(sessions) as s:
        claimed_by = set(s.scalars(select(OutboxItem.claimed_by)))
        assert s.scalars(select(OutboxItem.status)).all() == ["sent"] * 40
    assert claimed_by == {"worker-0", "worker-1"}  # both really took part
