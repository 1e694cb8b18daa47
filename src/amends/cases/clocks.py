"""SLA clocks on cases: start, pause while waiting on the customer, escalate once.

Service layer (flushes, never commits). The arithmetic lives in ``sla.py``; the
targets come from the workspace playbook.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from amends.cases.events import NewEvent, add_events
from amends.cases.models import Case, Notification
from amends.cases.rules import (
    CaseState,
    Category,
    EventKind,
    NotificationKind,
    Severity,
    Step,
    WaitingOn,
    case_ref,
)
from amends.people.models import User
from amends.people.rules import SYSTEM, Role
from amends.playbook.policy import Playbook
from amends.web.i18n import english, said
from amends.web.vocabulary import N_

# Cases escalated per clock per sweep: one sweep's transaction stays short, and the
# oldest breaches go first, so a backlog drains over the next sweeps in deadline order.
ESCALATION_BATCH = 1000
# What a breached clock is called on the timeline and in notifications; said in the
# reader's language at display time (the English stays in the event's note).
BREACHED = {
    "ack": N_("acknowledgment SLA breached"),
    "remedy": N_("remedy SLA breached"),
    "close": N_("closing SLA breached"),
}
_TR = {"what": "tr"}


def steps_of(case: Case) -> set[Step]:
    return {Step(s) for s in case.steps_done.split(",") if s}


def start(case: Case, playbook: Playbook) -> None:
    """Set the deadlines from the moment the case opened (when the message arrived)."""
    rule = playbook.rule(case.severity, case.category)
    calendar = playbook.calendar
    case.ack_due_at = calendar.add(case.opened_at, rule.targets.acknowledge)
    case.remedy_due_at = calendar.add(case.opened_at, rule.targets.remedy)
    case.close_due_at = calendar.add(case.opened_at, rule.targets.close)
    case.waiting_on = WaitingOn.US
    case.waiting_since = case.opened_at
    refresh_urgency(case)


def refresh_urgency(case: Case) -> None:
    """The nearest deadline still running; None once the case is closed."""
    done = steps_of(case)
    if Step.CLOSE in done:
        case.urgency_at = None
        return
    candidates = []
    if Step.ACKNOWLEDGE not in done and case.ack_due_at:
        candidates.append(case.ack_due_at)
    if Step.REMEDY not in done and case.remedy_due_at and case.waiting_on != WaitingOn.CUSTOMER:
        candidates.append(case.remedy_due_at)
    if case.close_due_at:
        candidates.append(case.close_due_at)
    case.urgency_at = min(candidates) if candidates else None


def customer_spoke(case: Case, playbook: Playbook, at: datetime) -> None:
    """An inbound message: the ball is in our court again; resume a paused remedy clock."""
    if case.waiting_on == WaitingOn.CUSTOMER and case.waiting_since and case.remedy_due_at:
        paused = playbook.calendar.between(case.waiting_since, at)
        if paused:
            case.remedy_due_at = playbook.calendar.add(case.remedy_due_at, paused)
    case.waiting_on = WaitingOn.US
    case.waiting_since = at
    case.last_inbound_at = at
    refresh_urgency(case)


def we_spoke(case: Case, at: datetime, *, asks: bool = False) -> None:
    """An outbound message (or a call): a contact with the customer.

    The remedy clock pauses only when the message asks the customer for something named
    (``asks``), until they answer; an apology or a progress note leaves it running. The
    acknowledgment clock never pauses.
    """
    if case.first_response_at is None:
        case.first_response_at = at
    case.outbound_count += 1
    case.last_outbound_at = at
    if asks and Step.REMEDY not in steps_of(case):
        case.waiting_on = WaitingOn.CUSTOMER
        case.waiting_since = at
    refresh_urgency(case)


def _escalation_targets(session: Session) -> list[int]:
    """Who is told of a breach besides the case's owner: the managers, else the owners."""
    for role in (Role.MANAGER, Role.OWNER):
        found = list(session.scalars(select(User.id).where(User.role == role, User.active)))
        if found:
            return found
    return []


def escalate_breaches(session: Session, *, now: datetime) -> dict[str, int]:
    """Escalate every breached clock exactly once: a timeline event and a notification.

    The compare-and-set UPDATE (``... WHERE escalated_at IS NULL``) is what makes it
    once: two sweeps racing on the same cases cannot both see a case among the rows
    their update changed. One UPDATE per clock takes the whole batch, and its events
    and notifications go in with one INSERT each.
    """
    counts = {"ack": 0, "remedy": 0, "close": 0}
    # The step's own completion time says in SQL that the clock stopped (each is set by
    # exactly that step), so done steps never fill the batch: filtering them after the
    # LIMIT let a thousand acknowledged cases starve a new one. The partial indexes
    # ix_cases_*_pending hold just the running clocks, in deadline order.
    columns = {
        "ack": (Case.ack_due_at, Case.ack_escalated_at, Case.acknowledged_at),
        "remedy": (Case.remedy_due_at, Case.remedy_escalated_at, Case.resolved_at),
        "close": (Case.close_due_at, Case.close_escalated_at, Case.closed_at),
    }
    targets: list[int] | None = None
    for clock, (due, escalated, stopped) in columns.items():
        query = select(Case.id).where(
            stopped.is_(None), escalated.is_(None), due <= now, Case.state != CaseState.CLOSED
        )
        if clock == "remedy":
            query = query.where(Case.waiting_on != WaitingOn.CUSTOMER)
        # Oldest breach first, so whatever is left for the next sweep is the newest.
        due_ids = list(session.scalars(query.order_by(due, Case.id).limit(ESCALATION_BATCH)))
        if not due_ids:
            continue
        # Breached: the clock is missed whenever its step comes.
        values: dict[str, object] = {escalated.key: now, f"{clock}_within": False}
        won = dict(
            session.execute(
                update(Case)
                .where(Case.id.in_(due_ids), escalated.is_(None))
                .values(values)
                .returning(Case.id, Case.owner_id)
                .execution_options(synchronize_session=False)
            ).all()
        )
        if not won:
            continue
        for case in session.identity_map.values():  # loaded earlier in this transaction
            if isinstance(case, Case) and case.id in won:
                session.expire(case, [escalated.key, f"{clock}_within"])
        if targets is None:
            targets = _escalation_targets(session)
        breached = said(BREACHED[clock])
        events: list[NewEvent] = []
        notifications: list[dict[str, object]] = []
        for case_id in (i for i in due_ids if i in won):  # in deadline order
            counts[clock] += 1
            events.append(
                NewEvent(
                    case_id,
                    EventKind.ESCALATED,
                    now,
                    SYSTEM,
                    english(breached),
                    {"clock": clock, **breached},
                )
            )
            told_what = said(
                N_("%(ref)s: %(what)s"), ref=case_ref(case_id), what=BREACHED[clock], fmt=_TR
            )
            # The managers, and the case's owner: the one who must act is told first.
            owner = won[case_id]
            told = [owner, *(user for user in targets if user != owner)]
            notifications += [
                {
                    "user_id": user_id,
                    "case_id": case_id,
                    "kind": NotificationKind.SLA_BREACHED,
                    "text": english(told_what),
                    "data": told_what,
                    "created_at": now,
                }
                for user_id in told
            ]
        add_events(session, events)
        session.execute(insert(Notification), notifications)
    return counts


def retarget(case: Case, playbook: Playbook, *, old_severity: str, old_category: str) -> None:
    """New deadlines after severity or category changed, keeping any remedy pause earned."""
    calendar = playbook.calendar
    old = playbook.rule(Severity(old_severity), Category(old_category)).targets
    new = playbook.rule(case.severity, case.category).targets
    paused = timedelta()
    if case.remedy_due_at is not None:
        paused = calendar.between(calendar.add(case.opened_at, old.remedy), case.remedy_due_at)
    case.ack_due_at = calendar.add(case.opened_at, new.acknowledge)
    case.remedy_due_at = calendar.add(calendar.add(case.opened_at, new.remedy), paused)
    case.close_due_at = calendar.add(case.opened_at, new.close)
    refresh_urgency(case)
