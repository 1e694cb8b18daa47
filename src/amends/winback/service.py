"""Win-back sequences (service layer: flushes only, the caller commits).

A case closed as ``lost`` starts one. Each follow-up is drafted by the coach in the
customer's language and sent by the job under the case owner's name through the outbox
(the owner is told it went, with the text): the playbook asks the owner to persist
personally, and a follow-up left waiting in a task list is one that never goes out. A
reply, "no more contact" (the signed link in each follow-up, or the owner) or parting
ways stops the sequence at once; its outcome is won back or not won back, and the
customer's status follows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.cases import service as cases
from amends.cases.models import Case, Notification
from amends.cases.rules import EventKind, NotificationKind, Outcome, case_ref
from amends.coach import service as coach
from amends.coach.followups import follow_up
from amends.commitments import service as commitments
from amends.commitments.models import Commitment
from amends.commitments.rules import CommitmentStatus
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.customers.rules import CustomerStatus
from amends.errors import AmendsError, Forbidden
from amends.messages import outbox
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.people.models import User
from amends.people.rules import SYSTEM, Action, Actor, can_own_cases
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.text.address import form_of_contact
from amends.web.i18n import english, said
from amends.web.vocabulary import N_
from amends.winback import reading, watch
from amends.winback.models import Winback, WinbackStep
from amends.winback.rules import (
    StepStatus,
    StopReason,
    WinbackOutcome,
    WinbackStatus,
    is_running,
    schedule,
    sign,
    transition,
)

log = logging.getLogger("amends.winback")


@dataclass(frozen=True)
class Sender:
    """What a follow-up needs from the installation: who signs it and where links point."""

    business: str
    base_url: str
    secret: str

    def stop_link(self, winback_id: int) -> str:
        return f"{self.base_url.rstrip('/')}/winback/stop/{sign(self.secret, winback_id)}"


# -- starting and the case's close -------------------------------------------------------


def case_closed(
    session: Session,
    case: Case,
    outcome: Outcome,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
) -> None:
    """What persisting asks once a case closes: follow-ups for a lost customer, a watch
    on the next deliveries after a recovery, and silence for one who parted ways.

    A customer who answered a follow-up is usually in a new case; how that one closes
    (won back, or lost again) is the earlier sequence's outcome too.
    """
    if outcome is Outcome.PARTED_WAYS:
        stop_for_customers(session, [case.customer_id], reason=StopReason.PARTED_WAYS, now=now)
        return
    if outcome in (Outcome.LOST, Outcome.WON_BACK):
        decided = (
            WinbackOutcome.WON_BACK if outcome is Outcome.WON_BACK else WinbackOutcome.NOT_WON_BACK
        )
        for item in session.scalars(
            select(Winback)
            .where(
                Winback.customer_id == case.customer_id,
                Winback.case_id != case.id,
                Winback.status.in_([WinbackStatus.ACTIVE, WinbackStatus.STOPPED]),
            )
            .order_by(Winback.id)
        ):
            _decide(session, item, outcome=decided, reason=StopReason.REPLIED, now=now, actor=actor)
            _show_on_customer(session, item)
    if outcome is Outcome.LOST:
        start(session, case, now=now, playbook=playbook)
    else:
        watch.start(session, case, now=now, playbook=playbook)


def start(session: Session, case: Case, *, now: datetime, playbook: Playbook) -> Winback | None:
    """The sequence for a customer lost on ``case``; None when there is nothing to send
    (no days in the playbook, they asked for no more contact, or they parted ways)."""
    existing = session.scalar(select(Winback).where(Winback.case_id == case.id))
    if existing is not None:
        return existing
    days = playbook.winback.days
    if not days or not customers.accepts_automated_messages(session, case.customer_id):
        return None
    refused = session.scalar(
        select(Winback.id).where(
            Winback.customer_id == case.customer_id, Winback.stop_reason == StopReason.NO_CONTACT
        )
    )
    if refused is not None:
        return None
    # A newer loss replaces an older sequence still running: one voice, not two.
    stop_for_customers(session, [case.customer_id], reason=StopReason.BY_OWNER, now=now)
    due = schedule(now, days)
    item = Winback(
        customer_id=case.customer_id,
        case_id=case.id,
        owner_id=case.owner_id,
        status=WinbackStatus.ACTIVE,
        started_at=now,
        note="",
        next_due_at=due[0],
    )
    session.add(item)
    session.flush()
    session.add_all(
        WinbackStep(winback_id=item.id, number=n, day=day, due_at=at, status=StepStatus.PENDING)
        for n, (day, at) in enumerate(zip(days, due, strict=True), start=1)
    )
    session.flush()
    _event(
        session,
        case,
        now=now,
        actor=SYSTEM,
        text=said(
            N_("win-back started: follow-ups on days %(days)s"),
            days=", ".join(str(d) for d in days),
        ),
        data={"winback_id": item.id, "what": "started"},
    )
    _show_on_customer(session, item)
    return item


# -- the job: due follow-ups --------------------------------------------------------------


def run_due(
    session: Session, *, now: datetime, playbook: Playbook, sender: Sender, limit: int = 200
) -> dict[str, int]:
    """Send every follow-up that has fallen due, and conclude sequences gone silent.

    A sequence whose several follow-ups fell due while nothing ran sends only the latest:
    three notes in one morning would read as a machine, not a person.
    """
    counts = {"sent": 0, "skipped": 0, "concluded": 0, "stopped": 0}
    due = session.scalars(
        select(Winback)
        .where(Winback.status == WinbackStatus.ACTIVE, Winback.next_due_at <= now)
        .order_by(Winback.next_due_at, Winback.id)
        .limit(limit)
    ).all()
    for item in due:
        if not customers.accepts_automated_messages(session, item.customer_id):
            _stop(session, item, reason=StopReason.PARTED_WAYS, now=now, actor=SYSTEM)
            counts["stopped"] += 1
            continue
        steps = reading.steps_of(session, item.id)
        ready = [s for s in steps if s.status is StepStatus.PENDING and s.due_at <= now]
        for late in ready[:-1]:
            late.status = StepStatus.SKIPPED
            counts["skipped"] += 1
        if ready:
            step = ready[-1]
            try:
                # One sequence that cannot send (its owner left, the coach finds blame in
                # the case's own title) must not hold back every other customer's note.
                with session.begin_nested():
                    sent = _send(
                        session,
                        item,
                        step,
                        total=len(steps),
                        now=now,
                        playbook=playbook,
                        sender=sender,
                    )
            except AmendsError as exc:
                log.warning("win-back %s: follow-up %s not sent: %s", item.id, step.number, exc)
                step.status = StepStatus.SKIPPED
                sent = False
            counts["sent" if sent else "skipped"] += 1
        left = [s for s in steps if s.status is StepStatus.PENDING]
        if left:
            item.next_due_at = left[0].due_at
        else:
            last = max((s.sent_at for s in steps if s.sent_at is not None), default=now)
            item.next_due_at = last + playbook.winback.conclude_after
            if item.next_due_at <= now:
                _decide(
                    session,
                    item,
                    outcome=WinbackOutcome.NOT_WON_BACK,
                    reason=StopReason.FINISHED,
                    now=now,
                    actor=SYSTEM,
                )
                counts["concluded"] += 1
        _show_on_customer(session, item)
    session.flush()
    return counts


def _send(
    session: Session,
    item: Winback,
    step: WinbackStep,
    *,
    total: int,
    now: datetime,
    playbook: Playbook,
    sender: Sender,
) -> bool:
    customer = session.get(Customer, item.customer_id)
    owner = session.get(User, item.owner_id)
    case = session.get(Case, item.case_id)
    assert customer is not None
    assert owner is not None
    assert case is not None
    contact = next(
        (c for c in sorted(customer.contacts, key=lambda c: not c.is_primary) if c.email), None
    )
    if contact is None or contact.email is None:
        step.status = StepStatus.SKIPPED
        return False
    if not owner.active or not can_own_cases(owner.role):
        raise Forbidden(f"{owner.email} no longer owns cases; hand the case to someone who does")
    note = follow_up(
        number=step.number,
        lang=customer.language,
        customer_name=contact.name or customer.name,
        agent_name=owner.name,
        business_name=sender.business,
        what_failed=case.title,
        stop_link=sender.stop_link(item.id),
        agent_form=owner.gender_form,
        customer_form=form_of_contact(contact.gender_form, contact.name),
        customer_is_person=bool(contact.name),
    )
    # The same guard as every reply: nothing leaves with blame or an excuse in it.
    coach.guard(note.text, note.language, None)
    # In the owner's name; on no case, since the lost case is closed: a reply is a new
    # conversation, and intake opens or joins a case for it as for any mail.
    message = messages.record_message(
        session,
        actor=Actor(owner.id, owner.role, owner.name),
        now=now,
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL,
        text=note.text,
        subject=note.subject,
        language=note.language,
        customer_id=customer.id,
        to_address=contact.email,
        playbook=playbook,
    )
    outbox.queue(session, message=message, to_address=contact.email, now=now)
    step.status = StepStatus.SENT
    step.message_id = message.id
    step.sent_at = now
    told = said(
        N_(
            "%(ref)s: win-back follow-up %(number)s of %(total)s went to %(customer)s in your name."
        ),
        ref=case_ref(case.id),
        number=step.number,
        total=total,
        customer=customer.name,
    )
    _notify(session, owner.id, case.id, NotificationKind.WINBACK_SENT, told, now=now)
    _event(
        session,
        case,
        now=now,
        actor=SYSTEM,
        text=said(
            N_("win-back follow-up %(number)s of %(total)s sent"), number=step.number, total=total
        ),
        data={"winback_id": item.id, "what": "sent", "message_id": message.id},
    )
    return True


# -- stopping and deciding -----------------------------------------------------------------


def customers_replied(session: Session, customer_ids: Iterable[int], *, now: datetime) -> int:
    """A customer wrote in: their running sequence stops at once, and its owner is told
    to answer in person and record whether they are won back. How many stopped."""
    return stop_for_customers(session, customer_ids, reason=StopReason.REPLIED, now=now)


def stop_for_customers(
    session: Session, customer_ids: Iterable[int], *, reason: StopReason, now: datetime
) -> int:
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    running = session.scalars(
        select(Winback)
        .where(Winback.customer_id.in_(ids), Winback.status == WinbackStatus.ACTIVE)
        .order_by(Winback.id)
    ).all()
    for item in running:
        _stop(session, item, reason=reason, now=now, actor=SYSTEM)
        if reason is StopReason.REPLIED:
            customer = session.get(Customer, item.customer_id)
            assert customer is not None
            told = said(
                N_(
                    "%(ref)s: %(customer)s replied, so the win-back follow-ups stopped. "
                    "Answer them yourself, then record whether they are won back."
                ),
                ref=case_ref(item.case_id),
                customer=customer.name,
            )
            _notify(
                session,
                item.owner_id,
                item.case_id,
                NotificationKind.WINBACK_REPLIED,
                told,
                now=now,
            )
    return len(running)


def stop(
    session: Session,
    winback_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    no_contact: bool = False,
    outcome: WinbackOutcome | None = None,
    note: str = "",
) -> Winback:
    """A person stops a sequence (the customer asked for no more contact, or it is no
    longer needed) and/or records its outcome; won back sets the customer's status,
    resumes their paused promises and starts the watch on what comes next."""
    require(actor, Action.WRITE)
    item = reading.get_winback(session, winback_id, actor=actor)
    if (
        actor.user_id is not None
        and not actor.allows(Action.MANAGE)
        and item.owner_id != actor.user_id
    ):
        raise Forbidden("only the case's owner or a manager may stop this win-back")
    reason = StopReason.NO_CONTACT if no_contact else StopReason.BY_OWNER
    if outcome is None:
        _stop(session, item, reason=reason, now=now, actor=actor, note=note)
    else:
        _decide(session, item, outcome=outcome, reason=reason, now=now, actor=actor, note=note)
        if outcome is WinbackOutcome.WON_BACK:
            _won_back(session, item, actor=actor, now=now, playbook=playbook)
    audit.record(
        session,
        actor_id=actor.user_id,
        action="winback.stopped" if outcome is None else "winback.decided",
        subject=f"winback:{item.id}",
        detail={
            "customer_id": item.customer_id,
            "status": item.status.value,
            "reason": item.stop_reason.value if item.stop_reason else None,
            "note": note.strip(),
        },
        now=now,
    )
    _show_on_customer(session, item)
    return item


def no_contact_from_link(session: Session, winback_id: int, *, now: datetime) -> Winback | None:
    """The customer followed the signed link in a follow-up: no more contact, at once.

    Asking twice is the same as asking once; the sequence is None if it was erased.
    """
    item = session.get(Winback, winback_id)
    if item is None:
        return None
    if item.stop_reason is not StopReason.NO_CONTACT:
        if is_running(item.status):
            _stop(session, item, reason=StopReason.NO_CONTACT, now=now, actor=SYSTEM)
        else:
            # Already stopped: the wish still counts, so no later loss starts another.
            item.stop_reason = StopReason.NO_CONTACT
        audit.record(
            session,
            actor_id=None,
            action="winback.no_contact",
            subject=f"winback:{item.id}",
            detail={"customer_id": item.customer_id, "by": "customer link"},
            now=now,
        )
        _show_on_customer(session, item)
    return item


def customer_language(session: Session, winback_id: int) -> str | None:
    """The language the public "no more contact" page speaks to the customer in."""
    return session.scalar(
        select(Customer.language)
        .join(Winback, Winback.customer_id == Customer.id)
        .where(Winback.id == winback_id)
    )


def _stop(
    session: Session,
    item: Winback,
    *,
    reason: StopReason,
    now: datetime,
    actor: Actor,
    note: str = "",
) -> None:
    item.status = transition(item.status, WinbackStatus.STOPPED)
    _stopped(session, item, reason=reason, now=now, actor=actor, note=note)


def _stopped(
    session: Session,
    item: Winback,
    *,
    reason: StopReason,
    now: datetime,
    actor: Actor,
    note: str = "",
) -> None:
    item.stop_reason = reason
    item.stopped_at = now
    item.next_due_at = None
    if note.strip():
        item.note = note.strip()
    for step in reading.steps_of(session, item.id):
        if step.status is StepStatus.PENDING:
            step.status = StepStatus.SKIPPED
    case = session.get(Case, item.case_id)
    assert case is not None
    _event(
        session,
        case,
        now=now,
        actor=actor,
        text=said(N_("win-back stopped: %(reason)s"), reason=reason.value, fmt={"reason": "tr"}),
        data={"winback_id": item.id, "what": "stopped", "reason": reason.value},
    )
    _show_on_customer(session, item)


def _decide(
    session: Session,
    item: Winback,
    *,
    outcome: WinbackOutcome,
    reason: StopReason,
    now: datetime,
    actor: Actor,
    note: str = "",
) -> None:
    running = is_running(item.status)
    item.status = transition(item.status, WinbackStatus(outcome.value))
    if running:
        _stopped(session, item, reason=reason, now=now, actor=actor, note=note)
    elif note.strip():
        item.note = note.strip()
    item.decided_at = now
    item.decided_by = actor.user_id
    case = session.get(Case, item.case_id)
    assert case is not None
    _event(
        session,
        case,
        now=now,
        actor=actor,
        text=said(
            N_("win-back outcome: %(outcome)s"), outcome=outcome.value, fmt={"outcome": "tr"}
        ),
        data={"winback_id": item.id, "what": "decided", "outcome": outcome.value},
    )


def _won_back(
    session: Session, item: Winback, *, actor: Actor, now: datetime, playbook: Playbook
) -> None:
    """The customer is back: their status says so, the promises paused when they were
    lost resume, and the owner watches the next ones (a second failure now would end it)."""
    customers.update_customer(
        session, item.customer_id, actor=actor, now=now, changes={"status": CustomerStatus.WON_BACK}
    )
    for commitment in session.scalars(
        select(Commitment)
        .where(
            Commitment.customer_id == item.customer_id,
            Commitment.status == CommitmentStatus.PAUSED,
        )
        .order_by(Commitment.id)
    ):
        commitments.update_commitment(
            session,
            commitment.id,
            actor=actor,
            now=now,
            changes={"status": CommitmentStatus.ACTIVE},
        )
    case = session.get(Case, item.case_id)
    assert case is not None
    watch.start(session, case, now=now, playbook=playbook)


def _show_on_customer(session: Session, item: Winback) -> None:
    customer = session.get(Customer, item.customer_id)
    if customer is None:
        return
    newest = session.scalar(
        select(Winback.id)
        .where(Winback.customer_id == item.customer_id)
        .order_by(Winback.started_at.desc(), Winback.id.desc())
        .limit(1)
    )
    if newest is not None and newest != item.id:
        return
    session.flush()
    (shown,) = reading.describe(session, [item])
    customer.winback = shown


# -- small helpers -------------------------------------------------------------------------


def _notify(
    session: Session,
    user_id: int,
    case_id: int,
    kind: NotificationKind,
    told: dict[str, Any],
    *,
    now: datetime,
) -> None:
    session.add(
        Notification(
            user_id=user_id,
            case_id=case_id,
            kind=kind,
            text=english(told),
            data=told,
            created_at=now,
        )
    )


def _event(
    session: Session,
    case: Case,
    *,
    now: datetime,
    actor: Actor,
    text: dict[str, Any],
    data: dict[str, Any],
) -> None:
    cases.add_event(
        session,
        case=case,
        kind=EventKind.WINBACK,
        at=now,
        actor=actor,
        note=english(text),
        data={**data, **text},
    )
