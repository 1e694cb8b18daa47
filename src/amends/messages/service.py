"""Messages to and from customers, attached to their cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases import service as cases
from amends.cases.models import Case, TimelineEvent
from amends.cases.rules import CaseState, Origin, case_ref
from amends.customers.models import Customer
from amends.errors import Conflict, InvalidInput, NotFound
from amends.messages.models import Message
from amends.messages.rules import MESSAGE_EVENT, Channel, Direction, reply_subject
from amends.paging import Page, paginate
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.playbook.policy import Playbook


def record_message(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    direction: Direction,
    channel: Channel,
    text: str,
    subject: str = "",
    language: str = "und",
    case_id: int | None = None,
    customer_id: int | None = None,
    from_address: str | None = None,
    to_address: str | None = None,
    message_key: str | None = None,
    raw_sha256: str | None = None,
    at: datetime | None = None,
    playbook: Playbook,
    asks: str | None = None,
) -> Message:
    """Record a message; on a case it also moves the clocks (who spoke last matters).

    ``asks`` names what an outbound message asks the customer for ("the order number");
    the remedy clock waits for their answer only then."""
    require(actor, Action.WRITE)
    case: Case | None = None
    if case_id is not None:
        case = cases.get_case(session, case_id, actor=actor)
        if customer_id is not None and customer_id != case.customer_id:
            raise InvalidInput(
                "the message's customer is not the case's customer", code="customer-mismatch"
            )
        customer_id = case.customer_id
    if customer_id is None:
        raise InvalidInput("a message needs a case_id or a customer_id", code="message-orphan")
    if session.get(Customer, customer_id) is None:
        raise InvalidInput(f"customer {customer_id} does not exist", code="customer-not-found")
    if message_key is not None and session.scalar(
        select(Message.id).where(Message.message_key == message_key)
    ):
        raise Conflict(f"message {message_key!r} was already recorded", code="message-duplicate")
    message = Message(
        case_id=case_id,
        customer_id=customer_id,
        direction=direction,
        channel=channel,
        language=language,
        subject=subject,
        text=text,
        from_address=from_address,
        to_address=to_address,
        message_key=message_key,
        raw_sha256=raw_sha256,
        author_id=actor.user_id if direction is not Direction.INBOUND else None,
        at=at or now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    if case is not None:
        if direction is Direction.INBOUND:
            clocks.customer_spoke(case, playbook, message.at)
        elif direction is Direction.OUTBOUND:
            clocks.we_spoke(case, message.at, asks=bool(asks and asks.strip()))
        data: dict[str, object] = {
            "message_id": message.id,
            "channel": channel.value,
            "language": language,
        }
        if asks and asks.strip():
            data["asks"] = asks.strip()
        cases.add_event(
            session,
            case=case,
            kind=MESSAGE_EVENT[direction],
            at=message.at,
            actor=actor,
            data=data,
        )
    return message


def get_message(session: Session, message_id: int, *, actor: Actor) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound(f"message {message_id} does not exist", code="message-not-found")
    if message.case_id is not None:
        try:
            cases.get_case(session, message.case_id, actor=actor)
        except NotFound:
            raise NotFound(
                f"message {message_id} does not exist", code="message-not-found"
            ) from None
    else:
        require(actor, Action.READ)
    return message


def list_messages(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    case_id: int | None = None,
    customer_id: int | None = None,
    direction: Direction | None = None,
) -> Page[Message]:
    if case_id is not None:
        cases.get_case(session, case_id, actor=actor)
    else:
        require(actor, Action.READ)
    stmt = select(Message).order_by(Message.at, Message.id)
    if case_id is not None:
        stmt = stmt.where(Message.case_id == case_id)
    if customer_id is not None:
        stmt = stmt.where(Message.customer_id == customer_id)
    if direction is not None:
        stmt = stmt.where(Message.direction == direction)
    return paginate(session, stmt, limit=limit, offset=offset)


def reply_subject_for(session: Session, case: Case) -> str:
    """The subject a reply on ``case`` carries (see ``rules.reply_subject``)."""

    def last(direction: Direction) -> str | None:
        return session.scalar(
            select(Message.subject)
            .where(
                Message.case_id == case.id,
                Message.direction == direction.value,
                Message.subject != "",
            )
            .order_by(Message.at.desc(), Message.id.desc())
            .limit(1)
        )

    return reply_subject(
        last(Direction.INBOUND), last(Direction.OUTBOUND), ref=case_ref(case.id), title=case.title
    )


def best_open_case(cases_: list[Case]) -> Case | None:
    """The open case a complaint joins, in ``receive_complaint``'s order: a proactive
    (breach) case first, then the most recently opened."""
    open_ = [c for c in cases_ if c.state is not CaseState.CLOSED]
    if not open_:
        return None
    return max(open_, key=lambda c: (c.origin is Origin.BREACH, c.opened_at, c.id))


@dataclass
class Inbound:
    """One inbound message of a batch, already matched to its (loaded) case."""

    case: Case
    text: str
    subject: str
    language: str
    channel: Channel
    from_address: str | None
    message_key: str | None
    raw_sha256: str | None
    at: datetime


def record_inbound_batch(
    session: Session, *, actor: Actor, now: datetime, playbook: Playbook, items: list[Inbound]
) -> list[int]:
    """Record many inbound messages at once; the same rows and clock moves as
    ``record_message`` for each, in order, in a few statements instead of a dozen each.

    The caller has matched every item to its case and checked its key is new (a bulk
    import does both with one query per batch); the unique key still guards the insert.
    """
    require(actor, Action.WRITE)
    if not items:
        return []
    rows = [
        {
            "case_id": item.case.id,
            "customer_id": item.case.customer_id,
            "direction": Direction.INBOUND,
            "channel": item.channel,
            "language": item.language,
            "subject": item.subject,
            "text": item.text,
            "from_address": item.from_address,
            "to_address": None,
            "message_key": item.message_key,
            "raw_sha256": item.raw_sha256,
            "author_id": None,
            "is_draft": False,
            "at": item.at,
            "created_at": now,
        }
        for item in items
    ]
    ids = list(
        session.scalars(insert(Message).returning(Message.id, sort_by_parameter_order=True), rows)
    )
    events = []
    for item, message_id in zip(items, ids, strict=True):
        clocks.customer_spoke(item.case, playbook, item.at)
        events.append(
            {
                "case_id": item.case.id,
                "at": item.at,
                "actor_id": actor.user_id,
                "kind": MESSAGE_EVENT[Direction.INBOUND],
                "note": "",
                "data": {
                    "message_id": message_id,
                    "channel": item.channel.value,
                    "language": item.language,
                },
            }
        )
    session.execute(insert(TimelineEvent), events)
    return ids
