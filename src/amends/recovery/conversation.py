"""What is written to and from the customer, across domains (service layer: flushes only,
the caller commits): a reply coached, queued and completing its steps; a message recorded
whole, coached when the business wrote it; a complaint joining its matter's case or
opening one. The one path for each: the API, the pages, the CLI and intake call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.cases import service as cases
from amends.cases import statements
from amends.cases.models import Case
from amends.cases.rules import (
    CaseState,
    Category,
    EventKind,
    Origin,
    Outcome,
    Step,
)
from amends.clock import refuse_future
from amends.coach import service as coach
from amends.coach.rules import CheckResult
from amends.compensation.models import Compensation
from amends.customers.models import Customer
from amends.errors import Conflict, InvalidInput
from amends.messages import outbox
from amends.messages import service as messages
from amends.messages.models import Message, OutboxItem
from amends.messages.rules import Channel, Direction, OutboxStatus, outbox_transition
from amends.patterns import service as patterns
from amends.patterns import similar
from amends.people.rules import Action, Actor, Staff
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.recovery.flows import (
    CompensationInput,
    StepResult,
    perform_steps,
    refuse_stray_compensation,
)
from amends.text import categories
from amends.text.header import header_problem
from amends.web.vocabulary import N_
from amends.winback import service as winback


@dataclass
class Reply:
    message: Message
    outbox: OutboxItem
    steps: StepResult


def record_message(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    override_reason: str | None = None,
    **fields: Any,
) -> Message:
    """Record a message given whole (``POST /messages``): one the business wrote passes
    the coach as a reply does, so no endpoint records blame or an excuse unchecked; an
    override and its reason go on the case's timeline."""
    if fields.get("direction") is not Direction.OUTBOUND:
        message = messages.record_message(
            session, actor=actor, now=now, playbook=playbook, **fields
        )
        if message.direction is Direction.INBOUND and message.customer_id is not None:
            winback.customers_replied(session, [message.customer_id], now=now)
        return message
    language = fields.get("language")
    checked = coach.guard(fields["text"], language, override_reason)
    message = messages.record_message(session, actor=actor, now=now, playbook=playbook, **fields)
    if message.case_id is not None:
        case = cases.get_case(session, message.case_id, actor=actor)
        _note_override(
            session, case, checked, message, actor=actor, now=now, reason=override_reason
        )
    return message


def _note_override(
    session: Session,
    case: Case,
    checked: CheckResult,
    message: Message,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None,
) -> None:
    """The coach's blocking findings a person sent anyway, with their reason, on the case."""
    if not checked.blocking:
        return
    codes = sorted({f.code.value for f in checked.blocking})
    note = (reason or "").strip()
    cases.add_event(
        session,
        case=case,
        kind=EventKind.COACH_OVERRIDE,
        at=now,
        actor=actor,
        note=note,
        data={"message_id": message.id, "codes": codes},
    )
    audit.record(
        session,
        actor_id=actor.user_id,
        action="coach.override",
        subject=f"case:{case.id}",
        detail={"message_id": message.id, "codes": codes, "reason": note},
        now=now,
    )


def newer_messages(session: Session, case_id: int, seen_message_id: int) -> list[Message]:
    """The case's messages after ``seen_message_id`` (drafts are nobody's news)."""
    return list(
        session.scalars(
            select(Message)
            .where(
                Message.case_id == case_id,
                Message.id > seen_message_id,
                Message.is_draft.is_(False),
            )
            .order_by(Message.id)
        )
    )


def refuse_unseen(session: Session, case_id: int, seen_message_id: int) -> None:
    newer = newer_messages(session, case_id, seen_message_id)
    if newer:
        raise Conflict.saying(
            N_("the case has messages you have not seen (%(ids)s): read them, then send again"),
            code="reply-stale",
            ids=[m.id for m in newer],
        )


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
    asks: str | None = None,
    seen_message_id: int | None = None,
) -> Reply:
    """Write to the customer on a case: record, queue for sending and complete the steps
    the message carries — all in the caller's one transaction, so either all happen or none.

    ``seen_message_id`` is the newest message the writer had in front of them: when the
    case has a newer one (a colleague's reply, the customer's answer), the reply is
    refused so they read it first; sending again with the newer id confirms."""
    require(actor, Action.WRITE)
    case = cases.get_case(session, case_id, actor=actor)
    if case.state is CaseState.CLOSED:
        raise Conflict(N_("the case is closed"), code="case-closed")
    if seen_message_id is not None:
        refuse_unseen(session, case.id, seen_message_id)
    customer = session.get(Customer, case.customer_id)
    assert customer is not None
    contact = next(
        (c for c in sorted(customer.contacts, key=lambda c: not c.is_primary) if c.email), None
    )
    if contact is None or contact.email is None:
        raise InvalidInput(
            f"{customer.name} has no email address to write to", code="no-email-contact"
        )
    checked = coach.guard(text, language or customer.language, override_reason)
    wanted = list(steps or [])
    if Step.CLOSE in wanted:
        raise InvalidInput(
            N_("close the case as its own step, after the reply"), code="close-in-reply"
        )
    refuse_stray_compensation(wanted, compensation)
    if subject is not None and header_problem(subject) is not None:
        # The API's schema refuses it too; the CLI and pages come through here alone.
        raise InvalidInput(
            N_("the subject must be one line, without line breaks or control characters"),
            code="subject-invalid",
        )
    message = messages.record_message(
        session,
        actor=actor,
        now=now,
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL,
        text=text,
        subject=subject or messages.reply_subject_for(session, case),
        language=language or customer.language,
        case_id=case.id,
        to_address=contact.email,
        playbook=playbook,
        asks=asks,
    )
    queued = outbox.queue(session, message=message, to_address=contact.email, now=now)
    _note_override(session, case, checked, message, actor=actor, now=now, reason=override_reason)
    result = (
        perform_steps(
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
        else StepResult(case)
    )
    if result.held and result.compensation_id is not None:
        # The customer must not read of a compensation nobody has approved yet: the reply
        # waits, unsent, for the manager's decision.
        promised = session.get(Compensation, result.compensation_id)
        assert promised is not None
        promised.message_id = message.id
        queued.status = outbox_transition(queued.status, OutboxStatus.HELD)
        queued.hold_reason = f"waiting for a manager to approve compensation {promised.id}"
        cases.add_event(
            session,
            case=case,
            kind=EventKind.REPLY_HELD,
            at=now,
            actor=actor,
            data={"message_id": message.id, "compensation_id": promised.id},
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
    sender_name: str = "",
) -> Received:
    """A customer wrote in: continue the open case about the same matter (its reference,
    its subject, the promise it is about), or open a new case.

    The SLA clock of a new case starts when the message was received, not when it was
    processed, so a backlog never flatters the time to acknowledge.
    """
    require(actor, Action.WRITE)
    refuse_future(received_at, now)
    received = received_at or now
    open_case = messages.matching_case(
        session,
        session.scalars(
            select(Case).where(Case.customer_id == customer_id, Case.state != CaseState.CLOSED)
        ).all(),
        subject=subject,
        text=text,
        likeness=similar.likeness(session, subject, text),
    )
    opened = open_case is None
    if open_case is None:
        complaint = Complaint(customer_id, subject, text, received, language, sender_name)
        (open_case,) = open_complaint_cases(
            session,
            actor=actor,
            now=now,
            playbook=playbook,
            complaints=[complaint],
            specs=[plan_complaint_case(session, complaint)],
        )
    message = messages.record_message(
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
        # The case opened on its subject alone; now the customer's words are stored,
        # repeats and patterns can be judged on what they actually said.
        patterns.case_arrived(session, open_case, now=now, playbook=playbook)
    # They wrote: a win-back sequence must not send its next note over their words.
    winback.customers_replied(session, [customer_id], now=now)
    return Received(message, open_case, opened)


@dataclass(frozen=True)
class Complaint:
    """A complaint that opens a case: who wrote, what, when, in which language, under
    which name (a colleague's namesake is not named by signing), and whether the
    customer was made a moment ago (a new lead has no cases or promises to ask about)."""

    customer_id: int
    subject: str
    text: str
    received_at: datetime
    language: str | None = None
    sender_name: str = ""
    new_customer: bool = False


def plan_complaint_case(
    session: Session,
    complaint: Complaint,
    *,
    owner_id: int | None = None,
    routing: cases.Routing | None = None,
    case_id: int | None = None,
) -> cases.NewCase:
    """The case a complaint opens when its customer has none open: titled by its
    subject, sorted by its text, owned by ``owner_id``, else routed
    (``cases.default_owner``, by the customer's language, else the message's; a batch
    passes its ``routing``, which remembers the cases it routed). ``case_id`` is an id
    taken beforehand (``cases.CaseIds``)."""
    guess = categories.categorise(complaint.subject, complaint.text)
    text = complaint.text.strip()
    return cases.NewCase(
        complaint.customer_id,
        owner_id
        if owner_id is not None
        else cases.default_owner(
            session,
            complaint.customer_id,
            language=complaint.language,
            routing=routing,
            new_customer=complaint.new_customer,
        ),
        (complaint.subject or (text.splitlines()[0] if text else "Complaint"))[:300],
        origin=Origin.COMPLAINT,
        opened_at=complaint.received_at,
        category=Category(guess.category),
        # "other" is not a guess worth keeping: it is what a person sorts anyway.
        category_confidence=None if guess.category == Category.OTHER else guess.confidence,
        case_id=case_id,
    )


def open_complaint_cases(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    complaints: Sequence[Complaint],
    specs: Sequence[cases.NewCase],
    planned: Sequence[Case] | None = None,
    staff: list[Staff] | None = None,
) -> list[Case]:
    """Open the cases planned for ``complaints`` (:func:`plan_complaint_case`; the Case
    objects of ``cases.plan_case``, if the caller holds them), in one insert, with the
    employees each complaint names as participants asked for their statement.

    Not judged here: every caller stores the complaints' texts next and judges repeats
    and patterns on them then (receive_complaint; the mail batch queues them).
    ``staff`` is ``statements.staff``, read once by a caller opening many.
    """
    opened = cases.open_cases(
        session, actor=actor, now=now, specs=specs, playbook=playbook, planned=planned
    )
    for complaint, case in zip(complaints, opened, strict=True):
        statements.note_named(
            session,
            case,
            subject=complaint.subject,
            text=complaint.text,
            language=complaint.language,
            actor=actor,
            now=now,
            people=staff,
            sender_name=complaint.sender_name,
        )
    return opened
