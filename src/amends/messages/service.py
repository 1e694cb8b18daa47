"""Messages to and from customers, attached to their cases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases import service as cases
from amends.cases import words as case_words
from amends.cases.models import Case
from amends.cases.rules import CaseState, Origin, case_ref
from amends.commitments.models import Commitment
from amends.customers.models import Customer
from amends.errors import Conflict, InvalidInput, NotFound
from amends.messages.abuse import abuse_flags
from amends.messages.models import Message, StoredAttachment
from amends.messages.rules import Channel, Direction, OpenMatter, reply_subject, same_matter
from amends.paging import Page, paginate
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.playbook.policy import Playbook


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
    # What an outbound message asks the customer for ("the order number"): the remedy
    # clock waits for their answer only then.
    asks: str | None = None
    # Written by the system, not a person (see Message.automated).
    automated: bool = False


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
    automated: bool = False,
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
        asks.strip() if asks and asks.strip() else None,
        automated,
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
            "automated": item.automated,
            # A customer's insults and threats are flagged as they arrive, with the words.
            "abuse": abuse_flags(item.subject, item.text)
            if item.direction is Direction.INBOUND
            else None,
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
    texts: dict[int, list[str]] = {}
    for item in items:
        if item.case_id is not None:
            texts.setdefault(item.case_id, []).extend((item.subject, item.text))
    case_words.add(session, texts)
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
            clocks.we_spoke(case, at, asks=item.asks is not None)
        data: dict[str, object] = {
            "message_id": message_id,
            "channel": item.channel.value,
            "language": item.language,
        }
        if item.asks is not None:
            data["asks"] = item.asks
        flagged = row["abuse"]
        if isinstance(flagged, list):
            # The kinds only: the words stay on the message, erased with it.
            data["abuse"] = sorted({f["kind"] for f in flagged})
        events.append(
            cases.NewEvent(case.id, f"message_{item.direction.value}", at, actor, data=data)
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
        stmt = stmt.where(Message.direction == direction)
    return paginate(session, stmt, limit=limit, offset=offset)


def case_attachments(session: Session, case_id: int, *, actor: Actor) -> list[StoredAttachment]:
    """The files that came with the case's messages, oldest first."""
    cases.get_case(session, case_id, actor=actor)
    return list(
        session.scalars(
            select(StoredAttachment)
            .join(Message, Message.id == StoredAttachment.message_id)
            .where(Message.case_id == case_id)
            .order_by(StoredAttachment.id)
        )
    )


def case_attachment(
    session: Session, case_id: int, attachment_id: int, *, actor: Actor
) -> StoredAttachment:
    """One file of a case the actor may see; another case's file answers like a missing one."""
    cases.get_case(session, case_id, actor=actor)
    found = session.scalar(
        select(StoredAttachment)
        .join(Message, Message.id == StoredAttachment.message_id)
        .where(StoredAttachment.id == attachment_id, Message.case_id == case_id)
    )
    if found is None:
        raise NotFound(f"attachment {attachment_id} does not exist", code="attachment-not-found")
    return found


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


def matching_case(
    session: Session,
    open_cases: Sequence[Case],
    *,
    subject: str,
    text: str,
    subjects: Mapping[int, Collection[str]] | None = None,
    likeness: Callable[[Sequence[int]], Mapping[int, float]] | None = None,
) -> Case | None:
    """Which of a customer's open cases a new message from them continues, if any (see
    ``rules.same_matter``); None means a new matter and a new case. ``subjects`` gives
    each case's subjects when the caller knows more than is stored yet (a batch);
    ``likeness`` scores the message's text against the given cases' texts (the caller
    owns the similarity engine, which sits above this package)."""
    candidates = [c for c in open_cases if c.state is not CaseState.CLOSED]
    if not candidates:
        return None
    ids = [c.id for c in candidates]
    said_on: dict[int, list[str]] = {case_id: [] for case_id in ids}
    if subjects is not None:
        for case_id in ids:
            said_on[case_id].extend(subjects.get(case_id, ()))
    else:
        for on_case, said in session.execute(
            select(Message.case_id, Message.subject).where(
                Message.case_id.in_(ids), Message.subject != ""
            )
        ):
            if on_case is not None:
                said_on[on_case].append(said)
    promised_ids = {c.commitment_id for c in candidates if c.commitment_id}
    promised: dict[int, str] = (
        dict(
            session.execute(
                select(Commitment.id, Commitment.title).where(Commitment.id.in_(promised_ids))
            ).all()
        )
        if promised_ids
        else {}
    )
    matters = [
        OpenMatter(
            c.id,
            promised.get(c.commitment_id) if c.commitment_id else None,
            tuple(said_on[c.id]),
            c.origin is Origin.BREACH,
        )
        for c in candidates
    ]
    # Likeness is the rule's last resort: the texts are compared only when the reference,
    # the subjects and the promises left the message a new matter.
    chosen = same_matter(subject, text, matters)
    if chosen is None and likeness is not None:
        alike = likeness(ids)
        chosen = same_matter(
            subject, text, [replace(m, likeness=alike.get(m.case_id, 0.0)) for m in matters]
        )
    return next((c for c in candidates if c.id == chosen), None)
