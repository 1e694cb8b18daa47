"""Message vocabularies."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from amends.cases.rules import EventKind
from amends.commitments.validity import names
from amends.errors import InvalidTransition
from amends.text.fold import fold_words


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


# Reply and forward prefixes of the clients our customers use: English, German,
# Scandinavian, Czech/Slovak ("Odp", "PD", "Přep"), Greek ("ΑΠ", "ΣΧΕΤ", "ΠΡΘ")
# and Thai ("ตอบกลับ", "ส่งต่อ"), optionally counted ("Re[2]:", "Re(2):", "Re^2:").
_PREFIX = re.compile(
    r"^\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|odp|pd|přep|tr|rv|enc|res|ynt|"
    r"απ|ατ|σχετ|πρθ|προωθ|ตอบกลับ|ตอบ|ส่งต่อ)"
    r"\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*",
    re.IGNORECASE,
)


def _case_token(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"\[\s*({re.escape(prefix)})-(\d{{1,12}})\s*\]", re.IGNORECASE)


_DEFAULT_CASE_TOKEN = _case_token("C")


def ref_in_subject(subject: str | None, prefix: str = "C") -> str | None:
    """The case reference in a subject token such as ``[C-123]``, as ``C-123``."""
    if not subject:
        return None
    pattern = _DEFAULT_CASE_TOKEN if prefix == "C" else _case_token(prefix)
    match = pattern.search(subject)
    if match is None:
        return None
    return f"{prefix.upper()}-{match.group(2)}"


def normalise_subject(subject: str | None, prefix: str = "C") -> str:
    """The subject without reply/forward prefixes or case tokens, for threading."""
    if not subject:
        return ""
    pattern = _DEFAULT_CASE_TOKEN if prefix == "C" else _case_token(prefix)
    text = pattern.sub(" ", unicodedata.normalize("NFC", subject))
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())


def subject_key(subject: str | None, prefix: str = "C") -> str:
    """A case-insensitive key for matching a reply's subject to its thread."""
    return normalise_subject(subject, prefix).casefold()


def reply_subject(their: str | None, ours: str | None, *, ref: str, title: str) -> str:
    """The subject of a reply, one the customer recognises: ``Re: <their subject> [C-1]``
    under their last message; else the subject we already wrote to them; else the case's
    title. The case reference is added once, so answers find their case."""
    if their and normalise_subject(their):
        subject = f"Re: {normalise_subject(their)}"
    elif ours and ours.strip():
        subject = ours.strip()
    else:
        subject = title.strip()
    return subject if f"[{ref}]" in subject else f"{subject} [{ref}]"


@dataclass(frozen=True)
class OpenMatter:
    """An open case of the customer, as a new message from them might continue it."""

    case_id: int
    promise: str | None  # the title of the promise the case is about, if any
    subjects: tuple[str, ...]  # subjects already written on the case, both ways
    proactive: bool  # opened by the ledger's sweep before the customer wrote
    likeness: float = 0.0  # text similarity of the new message to the case's text, 0-1


# How alike (the cosine of patterns.textsim) a new message and an open case's text must
# be to be one matter told again: "the courier left it in the rain, again" beside "the
# courier left the box outside in the rain". Well above what two complaints about
# different failures in one language share (their greetings and sign-offs).
SAME_MATTER_LIKENESS = 0.5


def same_matter(subject: str, text: str, open_cases: Sequence[OpenMatter]) -> int | None:
    """The open case a new message continues, or None for a new matter (a new case).

    A message continues a case when it quotes the case's reference, answers one of its
    subjects, speaks of the promise the case is about (a proactive case first), or tells
    the case's failure again in close words (the most alike case). One customer's
    "charged twice" does not join their "missed monthly report".
    """
    by_id = {c.case_id: c for c in open_cases}
    ref = ref_in_subject(subject) or ref_in_subject(text)
    if ref is not None and int(ref.split("-", 1)[1]) in by_id:
        return int(ref.split("-", 1)[1])
    key = subject_key(subject)
    if key:
        for case in open_cases:
            if key in {subject_key(s) for s in case.subjects}:
                return case.case_id
    words = fold_words(f"{subject} {text}")
    named = [c for c in open_cases if c.promise and names(c.promise, words)]
    if named:
        return max(named, key=lambda c: (c.proactive, c.case_id)).case_id
    alike = [c for c in open_cases if c.likeness >= SAME_MATTER_LIKENESS]
    if alike:
        return max(alike, key=lambda c: (c.likeness, c.case_id)).case_id
    return None


class OutboxStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at (again, after a retryable error)
    CLAIMED = "claimed"  # taken by one worker, not yet handed to the relay
    SENDING = "sending"  # being handed to the relay by the worker that claimed it
    SENT = "sent"
    FAILED = "failed"  # refused for good, or out of attempts
    UNCERTAIN = "uncertain"  # the sender stopped mid-send: perhaps handed over, perhaps not
    HELD = "held"  # waits for a decision (a compensation it announces) before sending
    CANCELLED = "cancelled"  # that decision went against it: never sent


_OUTBOX_MOVES: dict[OutboxStatus, frozenset[OutboxStatus]] = {
    # A pending automated message is cancelled when its customer stops taking them.
    OutboxStatus.PENDING: frozenset(
        {OutboxStatus.CLAIMED, OutboxStatus.SENDING, OutboxStatus.HELD, OutboxStatus.CANCELLED}
    ),
    # A claimed row goes to the relay, back to pending when its worker died before, or
    # fails when it can never become a mail (nothing reached the relay).
    OutboxStatus.CLAIMED: frozenset(
        {OutboxStatus.SENDING, OutboxStatus.PENDING, OutboxStatus.FAILED}
    ),
    OutboxStatus.SENDING: frozenset(
        {OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.UNCERTAIN}
    ),
    OutboxStatus.SENT: frozenset(),
    OutboxStatus.FAILED: frozenset(),
    # Never resent automatically: the customer may already have the mail. A person
    # decides (resend, or it was sent), or the slow sender itself learns how it went.
    OutboxStatus.UNCERTAIN: frozenset(
        {OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.FAILED}
    ),
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


class Resolution(StrEnum):
    """A person's decision on an ``uncertain`` outbox row."""

    RESEND = "resend"  # it did not reach the customer: send it again
    MARK_SENT = "mark_sent"  # it did: record it as sent, never send it again
