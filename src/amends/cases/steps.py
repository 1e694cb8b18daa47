"""Playbook steps and hand-offs on a case (service layer: flushes only).

What a step needs from other domains (a compensation recorded, a corrective action in
place) is checked by ``recovery.flows.perform_steps``, which plans and completes steps
through this module."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases.events import add_event
from amends.cases.models import Case, Notification
from amends.cases.rules import (
    STEPS,
    CaseState,
    EventKind,
    NotificationKind,
    Outcome,
    Step,
    WaitingOn,
    case_ref,
    check_handoff_reason,
    plan_steps,
    state_after,
    transition,
)
from amends.cases.service import get_case
from amends.errors import N_, Conflict, InvalidInput
from amends.people.models import User
from amends.people.rules import Action, Actor, can_own_cases
from amends.people.service import require
from amends.playbook.calendar import BusinessCalendar
from amends.playbook.policy import Playbook
from amends.web.i18n import english, said


def plan(
    case: Case,
    *,
    playbook: Playbook,
    steps: list[Step],
    outcome: Outcome | None,
    systemic: bool,
) -> list[Step]:
    """The steps ``steps`` completes on ``case``, in playbook order, or a refusal.

    A systemic failure (the case belongs to a pattern) is not closed with an apology: the
    customer is told what changed, whatever the severity's own list says.
    """
    rule = playbook.rule(case.severity, case.category)
    required = rule.required
    if systemic:
        required = tuple(s for s in STEPS if s in {*required, Step.EXPLAIN_CHANGE})
    return plan_steps(clocks.steps_of(case), steps, required=required, outcome=outcome)


def complete(
    session: Session,
    case: Case,
    steps: list[Step],
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    note: str = "",
    outcome: Outcome | None = None,
    message_id: int | None = None,
) -> list[Step]:
    """Record ``steps`` (already planned) as done, each with its timeline event."""
    for step in steps:
        _apply(case, step, now=now, outcome=outcome, calendar=playbook.calendar)
        add_event(
            session,
            case=case,
            kind=EventKind.STEP,
            at=now,
            actor=actor,
            note=note,
            data={
                "step": step.value,
                "message_id": message_id,
                "outcome": outcome.value if step is Step.CLOSE and outcome else None,
            },
        )
    case.updated_at = now
    clocks.refresh_urgency(case)
    session.flush()
    return list(steps)


def _apply(
    case: Case, step: Step, *, now: datetime, outcome: Outcome | None, calendar: BusinessCalendar
) -> None:
    done = clocks.steps_of(case) | {step}
    case.steps_done = ",".join(s.value for s in STEPS if s in done)
    case.state = transition(case.state, state_after(done))
    if step is Step.ACKNOWLEDGE:
        case.acknowledged_at = now
        # Business minutes, as the SLA counts them: a Friday-evening complaint answered
        # on Monday morning was answered in minutes of the business's time.
        waited = calendar.between(case.opened_at, now)
        case.ack_minutes = max(0, int(waited.total_seconds() // 60))
        case.ack_within = case.ack_due_at is None or now <= case.ack_due_at
    elif step is Step.REMEDY:
        case.resolved_at = now
        # One interaction: fixed by exactly one contact, by the first owner; a case fixed
        # without telling the customer anything was not solved *in* an interaction.
        case.one_interaction = case.outbound_count == 1 and case.handoffs == 0
        case.remedy_within = case.remedy_due_at is None or now <= case.remedy_due_at
        case.waiting_on = WaitingOn.NOBODY
    elif step is Step.CLOSE:
        case.closed_at = now
        if case.resolved_at is None:
            case.resolved_at = now
            case.remedy_within = case.remedy_due_at is None or now <= case.remedy_due_at
        case.close_within = case.close_due_at is None or now <= case.close_due_at
        case.outcome = outcome


def handoff(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    now: datetime,
    to_user_id: int,
    reason: str,
) -> Case:
    """Give the case to a new single owner; the reason is required and it is counted."""
    require(actor, Action.WRITE)
    reason = check_handoff_reason(reason)
    case = get_case(session, case_id, actor=actor)
    if case.state is CaseState.CLOSED:
        raise Conflict(N_("the case is closed"), code="case-closed")
    target = session.get(User, to_user_id)
    if target is None or not target.active:
        raise InvalidInput(f"user {to_user_id} is not an active user", code="owner-not-found")
    if not can_own_cases(target.role):
        raise InvalidInput.saying(
            N_("%(name)s is a %(role)s and cannot own cases"),
            code="owner-not-allowed",
            name=target.name,
            role=str(target.role),
            fmt={"role": "tr"},
        )
    if target.id == case.owner_id:
        raise Conflict.saying(
            N_("%(name)s already owns this case"), code="handoff-to-owner", name=target.name
        )
    previous = case.owner_id
    case.owner_id = target.id
    case.handoffs += 1
    case.updated_at = now
    add_event(
        session,
        case=case,
        kind=EventKind.HANDOFF,
        at=now,
        actor=actor,
        note=reason,
        data={"from": previous, "to": target.id},
    )
    # The reason is the colleague's own words: passed on as written, in no catalog.
    yours = said(N_("%(ref)s is now yours: %(reason)s"), ref=case_ref(case.id), reason=reason)
    session.add(
        Notification(
            user_id=target.id,
            case_id=case.id,
            kind=NotificationKind.HANDOFF,
            text=english(yours),
            data=yours,
            created_at=now,
        )
    )
    session.flush()
    return case
