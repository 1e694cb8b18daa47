"""A person's look at the outbox: list its rows, and settle the ones nobody can be sure of.

A row is ``uncertain`` when its sender stopped while handing it to the relay: the
customer may have the mail, or not. amends never guesses (a second apology is worse
than a late one), so an owner or manager checks — the relay's log, the customer — and
decides: send it again (same Message-ID, so a receiving system that deduplicates shows
one), or record that it was sent. The decision and who made it go on the case's
timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.rules import EventKind
from amends.errors import N_, Conflict, NotFound
from amends.messages.models import Message, OutboxItem
from amends.messages.rules import OutboxStatus, Resolution, outbox_transition
from amends.people.rules import Action, Actor
from amends.people.service import require

_EVENTS = {
    Resolution.RESEND: EventKind.REPLY_RESENT,
    Resolution.MARK_SENT: EventKind.REPLY_MARKED_SENT,
}


@dataclass(frozen=True)
class OutboxRow:
    """An outbox row with what a person needs to judge it."""

    item: OutboxItem
    case_id: int | None
    subject: str


def list_outbox(
    session: Session, *, actor: Actor, status: OutboxStatus | None = None, limit: int = 200
) -> list[OutboxRow]:
    """Outbox rows, oldest first; owners and managers only (they hold every customer's
    mail and decide resends)."""
    require(actor, Action.MANAGE)
    stmt = (
        select(OutboxItem, Message.case_id, Message.subject)
        .join(Message, Message.id == OutboxItem.message_id)
        .order_by(OutboxItem.created_at, OutboxItem.id)
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(OutboxItem.status == status)
    return [OutboxRow(item, case_id, subject) for item, case_id, subject in session.execute(stmt)]


def resolve(
    session: Session,
    item_id: int,
    *,
    actor: Actor,
    now: datetime,
    resolution: Resolution,
    note: str = "",
) -> OutboxRow:
    """Settle an uncertain row: due again at once, or recorded as sent; on the timeline."""
    require(actor, Action.MANAGE)
    item = session.get(OutboxItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(f"outbox item {item_id} does not exist", code="outbox-not-found")
    if item.status is not OutboxStatus.UNCERTAIN:
        raise Conflict(
            N_("only a reply that is perhaps sent can be resent or marked sent"),
            code="outbox-not-uncertain",
            status=str(item.status),
        )
    if resolution is Resolution.RESEND:
        item.status = outbox_transition(item.status, OutboxStatus.PENDING)
        item.next_attempt_at = now
        item.claimed_by = None
    else:
        item.status = outbox_transition(item.status, OutboxStatus.SENT)
        item.sent_at = now
    item.last_error = ""
    message = session.get(Message, item.message_id)
    if message is not None and message.case_id is not None:
        case = cases.get_case(session, message.case_id, actor=actor)
        cases.add_event(
            session,
            case=case,
            kind=_EVENTS[resolution],
            at=now,
            actor=actor,
            note=note.strip(),
            data={"message_id": message.id, "outbox_id": item.id},
        )
    session.flush()
    return OutboxRow(item, message.case_id if message else None, message.subject if message else "")
