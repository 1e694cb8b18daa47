"""The hourly cap on replies to one address, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.messages import outbox
from amends.messages.models import Message, OutboxItem
from tests.conftest import Cast
from tests.messages.conftest import Inbox
from tests.messages.helpers import drain_together, make_replies, replace_settings

SOMSRI = "somsri@baansuan.example"
NIKOS = "nikos@taverna-kyma.example"


def recipients(inbox: Inbox) -> list[str]:
    return [str(message_from_bytes(m, policy=policy.default)["To"]) for m in inbox.received]


def test_replies_over_the_cap_are_held_with_a_reason_and_sent_an_hour_later(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    cfg = replace_settings(settings, smtp_port=port, reply_cap_per_hour=3)
    start = clock.now()
    make_replies(sessions, clock, cast, 5)
    make_replies(sessions, clock, cast, 1, email=NIKOS, name="Ταβέρνα Κύμα")

    first = outbox.drain(sessions, cfg, now=clock.now())
    assert (first["sent"], first["held"]) == (4, 2)
    assert sorted(recipients(inbox)) == [NIKOS] + [SOMSRI] * 3  # the other address is free
    with transaction(sessions) as s:
        held = s.scalars(select(OutboxItem).where(OutboxItem.status == "pending")).all()
        assert len(held) == 2
        for item in held:
            assert item.to_address == SOMSRI
            assert item.next_attempt_at == start + timedelta(hours=1)
            assert item.held_until == start + timedelta(hours=1)
            assert "3 replies to somsri@baansuan.example within an hour" in item.hold_reason
            assert item.attempts == 0  # held is not a failed attempt

    clock.advance(timedelta(minutes=59))
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 0
    assert len(inbox.received) == 4

    clock.advance(timedelta(minutes=1))
    later = outbox.drain(sessions, cfg, now=clock.now())
    assert (later["sent"], later["held"]) == (2, 0)
    assert recipients(inbox).count(SOMSRI) == 5  # held, never dropped
    with transaction(sessions) as s:
        statuses = s.scalars(select(OutboxItem.status)).all()
        assert statuses == ["sent"] * 6
        # The delay stays on record after the mail went out.
        assert len([r for r in s.scalars(select(OutboxItem.hold_reason)) if r]) == 2


def test_the_window_slides_a_loop_gets_at_most_the_cap_in_any_hour(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    cfg = replace_settings(settings, smtp_port=port, reply_cap_per_hour=2)
    make_replies(sessions, clock, cast, 1)
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 1
    clock.advance(timedelta(minutes=40))
    # Nine more replies queue up 40 minutes later, as a mail loop would produce them.
    with transaction(sessions) as s:
        message_id = s.scalars(select(OutboxItem.message_id)).one()
        message = s.get(Message, message_id)
        assert message is not None
        for _ in range(9):
            outbox.queue(s, message=message, to_address=SOMSRI, now=clock.now())
    result = outbox.drain(sessions, cfg, now=clock.now())
    assert (result["sent"], result["held"]) == (1, 8)
    # The first send leaves the window 20 minutes from now: one more may go then.
    clock.advance(timedelta(minutes=20))
    assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 1
    for _ in range(24):
        clock.advance(timedelta(minutes=10))
        outbox.drain(sessions, cfg, now=clock.now())
    with transaction(sessions) as s:
        times = sorted(t for t in s.scalars(select(OutboxItem.claimed_at)) if t is not None)
    assert len(times) == len(inbox.received)
    for i, t in enumerate(times):
        in_window = [u for u in times[i:] if u < t + timedelta(hours=1)]
        assert len(in_window) <= 2, (t, in_window)
    # Ten mails, two an hour: t0, t40, t60, t100, t120, ... the last of them at t280.
    assert len(inbox.received) == 10


def test_two_workers_together_never_exceed_the_cap(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    cfg = replace_settings(settings, smtp_port=port, reply_cap_per_hour=10)
    make_replies(sessions, clock, cast, 30)
    totals = drain_together(sessions, cfg, now=clock.now(), rounds=3)
    assert sum(t["sent"] for t in totals) == 10
    assert len(inbox.received) == 10
    with transaction(sessions) as s:
        pending = s.scalars(select(OutboxItem).where(OutboxItem.status == "pending")).all()
        assert len(pending) == 20
        assert all(p.hold_reason for p in pending)
