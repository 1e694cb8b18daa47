"""Message vocabularies."""

from __future__ import annotations

import re
from enum import StrEnum

from amends.cases.rules import EventKind
from amends.errors import InvalidTransition


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


# The case timeline entry a message of each direction writes.
MESSAGE_EVENT: dict[Direction, EventKind] = {
    Direction.INBOUND: EventKind.MESSAGE_INBOUND,
    Direction.OUTBOUND: EventKind.MESSAGE_OUTBOUND,
    Direction.INTERNAL: EventKind.MESSAGE_INTERNAL,
}


class Channel(StrEnum):
    EMAIL = "email"
    WEB = "web"
    API = "api"
    PHONE = "phone"
    CHAT = "chat"


# "Re:" as mail programs write it in English, German, Nordic, Slovak/Czech and Greek.
_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv|odp|ap|απ|σχετ)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)


def reply_subject(their: str | None, ours: str | None, *, ref: str, title: str) -> str:
    """The subject of a reply, one the customer recognises: ``Re: <their subject> [C-1]``
    under their last message; else the subject we already wrote to them; else the case's
    title. The case reference is added once, so answers find their case."""
    if their and their.strip():
        base = their.strip()
        while _REPLY_PREFIX.match(base):
            base = _REPLY_PREFIX.sub("", base, count=1)
        subject = f"Re: {base}"
    elif ours and ours.strip():
        subject = ours.strip()
    else:
        subject = title.strip()
    return subject if f"[{ref}]" in subject else f"{subject} [{ref}]"


class OutboxStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at (again, after a retryable error)
    SENDING = "sending"  # claimed by one worker, being handed to the relay
    SENT = "sent"
    FAILED = "failed"  # refused for good, or out of attempts
    UNCERTAIN = "uncertain"  # the sender stopped mid-send: perhaps handed over, perhaps not
    HELD = "held"  # waits for a decision (a compensation it announces) before sending
    CANCELLED = "cancelled"  # that decision went against it: never sent


_OUTBOX_MOVES: dict[OutboxStatus, frozenset[OutboxStatus]] = {
    OutboxStatus.PENDING: frozenset({OutboxStatus.SENDING, OutboxStatus.HELD}),
    OutboxStatus.SENDING: frozenset(
        {OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.UNCERTAIN}
    ),
    OutboxStatus.SENT: frozenset(),
    OutboxStatus.FAILED: frozenset(),
    # Never resent automatically: the customer may already have the mail.
    OutboxStatus.UNCERTAIN: frozenset(),
    OutboxStatus.HELD: frozenset({OutboxStatus.PENDING, OutboxStatus.CANCELLED}),
    OutboxStatus.CANCELLED: frozenset(),
}


def outbox_transition(status: OutboxStatus, to: OutboxStatus) -> OutboxStatus:
    """``to`` if an outbox row in ``status`` may move there, else InvalidTransition.

    Only a claimed row is sent, and only the claimant records how the send went; a
    row that was sent, failed for good or may have been sent is never sent again.
    """
    if to not in _OUTBOX_MOVES[status]:
        raise InvalidTransition(f"an outbox item that is {status} cannot become {to}")
    return to
