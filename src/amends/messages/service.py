"""Messages to and from customers, attached to their cases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases import service as cases
from amends.cases import steps as case_steps
from amends.cases.models import Case
from amends.cases.playbook import Playbook
from amends.cases.rules import Origin, Outcome, Step
from amends.cases.steps import CompensationInput, StepResult
from amends.customers.models import Customer
from amends.errors import Conflict, InvalidInput, NotFound
from amends.messages import outbox
from amends.messages.models import Message, OutboxItem
from amends.messages.rules import Channel, Direction
from amends.paging import Page, paginate
from amends.people.rules import Action, Actor
from amends.people.service import require


@dataclass(frozen=True)
class NewMessage:
    """One message for ``record_messages``: its case, or a customer without a case."""

    direction: Direction
    channel: Channel
    text: str
    subject: str = ""
    language: str = "und"
    case_id: int | None = None
    customer_id: int | None = None
    from_address: str | None = None
    to_address: str | None = None
    message_key: str | None = None
    raw_sha256: str | None = None
    at: datetime | None = None


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
) -> Message:
    """Record one message: ``record_messages`` for a batch of one."""
    item = NewMessage(
        direction,
        channel,
        text,
        subject,
        language,
        case_id,
        customer_id,
        from_address,
        to_address,
        message_key,
        raw_sha256,
        at,
    )
    (message_id,) = record_messages(session, actor=actor, now=now, playbook=playbook, items=[item])
    message = session.get(Message, message_id)
    assert message is not None
    return message


def record_messages(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    items: Sequence[NewMessage],
) -> list[int]:
    """Record messages in order and return their ids; each one on a case moves the
    case's clocks (who spoke last matters) and adds its event to the case's timeline.

    This is the only writer of messages: a bulk import records a thousand in a few
    statements, an agent's reply one, and both write the same rows.
    """
    require(actor, Action.WRITE)
    if not items:
        return []
    on_case: dict[int, Case] = {}
    customer_ids: list[int] = []
    for item in items:
        customer_id = item.customer_id
        if item.case_id is not None:
            case = on_case.get(item.case_id)
            if case is None:
                case = on_case[item.case_id] = cases.get_case(session, item.case_id, actor=actor)
            if customer_id is not None and customer_id != case.customer_id:
                raise InvalidInput(
                    "the message's customer is not the case's customer", code="customer-mismatch"
                )
            customer_id = case.customer_id
        if customer_id is None:
            raise InvalidInput("a message needs a case_id or a customer_id", code="message-orphan")
        customer_ids.append(customer_id)
    existing = set(session.scalars(select(Customer.id).where(Customer.id.in_(set(customer_ids)))))
    for customer_id in customer_ids:
        if customer_id not in existing:
            raise InvalidInput(f"customer {customer_id} does not exist", code="customer-not-found")
    keys = [item.message_key for item in items if item.message_key is not None]
    taken = [key for key, n in Counter(keys).items() if n > 1]
    if keys and not taken:
        taken = list(
            session.scalars(
                select(Message.message_key).where(Message.message_key.in_(set(keys))).limit(1)
            )
        )
    if taken:
        raise Conflict(f"message {taken[0]!r} was already recorded", code="message-duplicate")
    rows = [
        {
            "case_id": item.case_id,
            "customer_id": customer_id,
            "direction": item.direction.value,
            "channel": item.channel.value,
            "language": item.language,
            "subject": item.subject,
            "text": item.text,
            "from_address": item.from_address,
            "to_address": item.to_address,
            "message_key": item.message_key,
            "raw_sha256": item.raw_sha256,
            "author_id": actor.user_id if item.direction is not Direction.INBOUND else None,
            "is_draft": False,
            "at": item.at or now,
            "created_at": now,
        }
        for item, customer_id in zip(items, customer_ids, strict=True)
    ]
    # One INSERT for the lot: the ORM's unit of work costs more per row than a bulk
    # import spends parsing a message.
    ids = list(
        session.scalars(insert(Message).returning(Message.id, sort_by_parameter_order=True), rows)
    )
    events = []
    for item, row, message_id in zip(items, rows, ids, strict=True):
        if item.case_id is None:
            continue
        case = on_case[item.case_id]
        at = row["at"]
        assert isinstance(at, datetime)
        if item.direction is Direction.INBOUND:
            clocks.customer_spoke(case, playbook, at)
        elif item.direction is Direction.OUTBOUND:
            clocks.we_spoke(case, at)
        events.append(
            cases.NewEvent(
                case,
                f"message_{item.direction.value}",
                at,
                actor,
                data={
                    "message_id": message_id,
                    "channel": item.channel.value,
                    "language": item.language,
                },
            )
        )
    cases.add_events(session, events)
    session.flush()
    return ids


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
        stmt = stmt.where(Message.direction == direction.value)
    return paginate(session, stmt, limit=limit, offset=offset)


@dataclass
class Reply:
    message: Message
    outbox: OutboxItem
    steps: StepResult


def send_reply(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    text: str,
    subject: str | None = None,
    language: str | None = None,
    steps: list[Step] | None = None,
    outcome: Outcome | None = None,
    compensation: CompensationInput | None = None,
    override_reason: str | None = None,
) -> Reply:
    """Write to the customer on a case: record, queue for sending and complete the steps
    the message carries — all in the caller's one transaction, so either all happen or none."""
    require(actor, Action.WRITE)
    case = cases.get_case(session, case_id, actor=actor)
    if case.state == "closed":
        raise Conflict("the case is closed", code="case-closed")
    customer = session.get(Customer, case.customer_id)
    assert customer is not None
    contact = next(
        (c for c in sorted(customer.contacts, key=lambda c: not c.is_primary) if c.email), None
    )
    if contact is None or contact.email is None:
        raise InvalidInput(
            f"{customer.name} has no email address to write to", code="no-email-contact"
        )
    from amends.coach import service as coach  # the coach reads cases; imported late

    checked = coach.guard(text, language or customer.language, override_reason)
    wanted = list(steps or [])
    if Step.CLOSE in wanted:
        raise InvalidInput("close the case as its own step, after the reply", code="close-in-reply")
    message = record_message(
        session,
        actor=actor,
        now=now,
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL,
        text=text,
        subject=subject or f"[{cases.case_ref(case.id)}] {case.title}",
        language=language or customer.language,
        case_id=case.id,
        to_address=contact.email,
        playbook=playbook,
    )
    queued = outbox.queue(session, message=message, to_address=contact.email, now=now)
    if checked.blocking:
        cases.add_event(
            session,
            case=case,
            kind="coach_override",
            at=now,
            actor=actor,
            note=(override_reason or "").strip(),
            data={
                "message_id": message.id,
                "codes": sorted({f.code.value for f in checked.blocking}),
            },
        )
    result = (
        case_steps.perform(
            session,
            case.id,
            actor=actor,
            now=now,
            playbook=playbook,
            steps=wanted,
            outcome=outcome,
            compensation=compensation,
            message_id=message.id,
        )
        if wanted
        else case_steps.StepResult(case)
    )
    return Reply(message, queued, result)


@dataclass
class Received:
    message: Message
    case: Case
    opened: bool


def receive_complaint(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    customer_id: int,
    text: str,
    subject: str = "",
    language: str = "und",
    channel: Channel = Channel.API,
    received_at: datetime | None = None,
    from_address: str | None = None,
    message_key: str | None = None,
    raw_sha256: str | None = None,
) -> Received:
    """A customer wrote in: join their open case (a proactive one first), or open one.

    The SLA clock of a new case starts when the message was received, not when it was
    processed, so a backlog never flatters the time to acknowledge.
    """
    require(actor, Action.WRITE)
    received = received_at or now
    open_case = session.scalar(
        select(Case)
        .where(Case.customer_id == customer_id, Case.state != "closed")
        .order_by((Case.origin == "breach").desc(), Case.opened_at.desc(), Case.id.desc())
        .limit(1)
    )
    opened = open_case is None
    if open_case is None:
        open_case = open_complaint_case(
            session,
            actor=actor,
            now=now,
            playbook=playbook,
            customer_id=customer_id,
            subject=subject,
            text=text,
            received_at=received,
        )
    message = record_message(
        session,
        actor=actor,
        now=now,
        direction=Direction.INBOUND,
        channel=channel,
        text=text,
        subject=subject,
        language=language,
        case_id=open_case.id,
        from_address=from_address,
        message_key=message_key,
        raw_sha256=raw_sha256,
        at=received,
        playbook=playbook,
    )
    if opened:
        from amends.patterns import service as patterns  # it builds on cases and messages

        # The case opened on its subject alone; now the customer's words are stored,
        # repeats and patterns can be judged on what they actually said.
        patterns.case_arrived(session, open_case, now=now, playbook=playbook)
    return Received(message, open_case, opened)


def open_complaint_case(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    customer_id: int,
    subject: str,
    text: str,
    received_at: datetime,
    owner_id: int | None = None,
) -> Case:
    """The case a complaint opens when its customer has none open: titled by its subject.

    ``owner_id`` defaults to ``cases.default_owner``; a caller that knows the customer is
    new (no cases, no promises) may pass ``cases.fallback_owner``, which that returns.
    The caller runs ``patterns.case_arrived`` once the complaint's text is stored.
    """
    return cases.open_case(
        session,
        actor=actor,
        now=now,
        customer_id=customer_id,
        owner_id=owner_id if owner_id is not None else cases.default_owner(session, customer_id),
        title=(subject or text.strip().splitlines()[0] if text.strip() else "Complaint")[:300],
        origin=Origin.COMPLAINT,
        opened_at=received_at,
        playbook=playbook,
        # Every caller stores the complaint's text next and judges repeats and patterns
        # on it then (receive_complaint, the batch import).
        look_across=False,
    )


def best_open_case(cases_: list[Case]) -> Case | None:
    """The open case a complaint joins, in ``receive_complaint``'s order: a proactive
    (breach) case first, then the most recently opened."""
    open_ = [c for c in cases_ if c.state != "closed"]
    if not open_:
        return None
    return max(open_, key=lambda c: (c.origin == "breach", c.opened_at, c.id))
