"""Finding: recipient injection at send time.

A contact address such as ``crlf@evil.test, victim@third.test`` (one string, two
addresses) made a reply go to both, and the hourly cap, keyed on the whole string,
never counted the victim's inbox. Now the outbox sends only to exactly one valid
address (named alone in the envelope), fails any other row alone with its reason, and
keys the cap on the one normalised address.
"""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.messages import outbox
from amends.messages.models import OutboxItem
from tests.conftest import Cast
from tests.security.mail import Relay, mail_settings, relay, reply_to

__all__ = ["relay"]


def test_a_contact_naming_two_addresses_gets_no_mail_and_the_others_are_sent(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    relay: Relay,
) -> None:
    reply_to(sessions, clock, cast, email="crlf@evil.test, victim@third.test")
    reply_to(sessions, clock, cast, email="jan@pekaren-novak.example")

    counts = outbox.drain(sessions, mail_settings(settings, relay), now=clock.now())

    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert relay.recipients() == ["jan@pekaren-novak.example"]
    mail = message_from_bytes(relay.delivered[0].content, policy=policy.default)
    assert mail["To"] == "jan@pekaren-novak.example"
    with transaction(sessions) as s:
        injected, fine = s.scalars(select(OutboxItem).order_by(OutboxItem.id))
        assert injected.status == "failed"
        assert "not exactly one valid address" in injected.last_error
        assert "victim@third.test" in injected.last_error
        assert fine.status == "sent"
    # Failed for good: a later drain does not try again.
    assert outbox.drain(sessions, mail_settings(settings, relay), now=clock.now())["sent"] == 0
    assert relay.recipients() == ["jan@pekaren-novak.example"]


def test_the_hourly_cap_counts_one_inbox_however_its_address_is_written(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    relay: Relay,
) -> None:
    for spelling in [
        "victim@third.test",
        "Victim@Third.test",
        " VICTIM@third.TEST ",
        "Victim <victim@third.test>",
    ]:
        reply_to(sessions, clock, cast, email=spelling)

    counts = outbox.drain(
        sessions, mail_settings(settings, relay, reply_cap_per_hour=2), now=clock.now()
    )

    assert (counts["sent"], counts["held"]) == (2, 2)
    assert relay.recipients() == ["victim@third.test", "victim@third.test"]
    with transaction(sessions) as s:
        rows = list(s.scalars(select(OutboxItem).order_by(OutboxItem.id)))
        assert {r.to_address for r in rows} == {"victim@third.test"}
        assert [r.status for r in rows] == ["sent", "sent", "pending", "pending"]
        assert all("within an hour" in r.hold_reason for r in rows[2:])
