"""Performing playbook steps and hand-offs on a case (service layer: flushes only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from amends.cases import clocks
from amends.cases.models import Case, Notification
from amends.cases.playbook import Playbook
from amends.cases.rules import (
    STEPS,
    Category,
    Outcome,
    Severity,
    Step,
    case_ref,
    check_handoff_reason,
    plan_steps,
    state_after,
)
from amends.cases.service import add_event, get_case
from amends.errors import Conflict, InvalidInput
from amends.people.models import User
from amends.people.rules import Action, Actor, Role, can_own_cases
from amends.people.service import require


@dataclass(frozen=True)
class CompensationInput:
    kind: str
    amount: Decimal = Decimal("0")
    currency: str | None = None
    rationale: str = ""


@dataclass
class StepResult:
    case: Case
    done: list[Step] = field(default_factory=list)
    held: list[Step] = field(default_factory=list)  # waiting for a manager's approval
    compensation_id: int | None = None


def perform(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    steps: list[Step],
    note: str = "",
    outcome: Outcome | None = None,
    compensation: CompensationInput | None = None,
    message_id: int | None = None,
) -> StepResult:
    """Complete ``steps`` (several at once if one message did them all)."""
    from amends.compensation import service as compensations  # it calls back into here
    from amends.patterns import service as patterns  # it builds on cases

    require(actor, Action.WRITE)
    case = get_case(session, case_id, actor=actor)
    rule = playbook.rule(Severity(case.severity), Category(case.category))
    required = rule.required
    if patterns.patterns_of_case(session, case.id):
        # A systemic failure is not closed with an apology: the customer is told what
        # changed, whatever the severity's own list says.
        required = tuple(s for s in STEPS if s in {*required, Step.EXPLAIN_CHANGE})
    done = clocks.steps_of(case)
    plan = plan_steps(done, steps, required=required, outcome=outcome)
    if Step.EXPLAIN_CHANGE in plan:
        patterns.require_corrective_action(session, case)
    result = StepResult(case)

    if Step.COMPENSATE in plan:
        approved = compensations.approved_for(session, case.id)
        if compensation is None and approved is None:
            raise InvalidInput(
                "the compensate step needs what is given (kind and amount), or kind 'none' "
                "with the reason",
                code="compensation-missing",
            )
        if compensation is not None:
            record = compensations.record(
                session,
                case=case,
                actor=actor,
                now=now,
                playbook=playbook,
                kind=compensation.kind,
                amount=compensation.amount,
                currency=compensation.currency,
                rationale=compensation.rationale,
            )
            result.compensation_id = record.id
            if record.status == "requested":
                cut = plan.index(Step.COMPENSATE)
                result.held = plan[cut:]
                plan = plan[:cut]

    for step in plan:
        _apply(case, step, now=now, outcome=outcome)
        add_event(
            session,
            case=case,
            kind="step",
            at=now,
            actor=actor,
            note=note,
            data={
                "step": step.value,
                "message_id": message_id,
                "outcome": outcome.value if step is Step.CLOSE and outcome else None,
            },
        )
        result.done.append(step)
    case.updated_at = now
    clocks.refresh_urgency(case)
    session.flush()
    return result


def _apply(case: Case, step: Step, *, now: datetime, outcome: Outcome | None) -> None:
    done = clocks.steps_of(case) | {step}
    case.steps_done = ",".join(s.value for s in STEPS if s in done)
    case.state = state_after(done).value
    if step is Step.ACKNOWLEDGE:
        case.acknowledged_at = now
        case.ack_minutes = max(0, int((now - case.opened_at).total_seconds() // 60))
        case.ack_within = case.ack_due_at is None or now <= case.ack_due_at
    elif step is Step.REMEDY:
        case.resolved_at = now
        # One interaction: fixed by the first reply, by the first owner, no back-and-forth.
        case.one_interaction = case.outbound_count <= 1 and case.handoffs == 0
        case.waiting_on = "nobody"
    elif step is Step.CLOSE:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
        case.outcome = outcome.value if outcome else None


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
    if case.state == "closed":
        raise Conflict("the case is closed", code="case-closed")
    target = session.get(User, to_user_id)
    if target is None or not target.active:
        raise InvalidInput(f"user {to_user_id} is not an active user", code="owner-not-found")
    if not can_own_cases(Role(target.role)):
        raise InvalidInput(
            f"{target.name} is a {target.role} and cannot own cases", code="owner-not-allowed"
        )
    if target.id == case.owner_id:
        raise Conflict(f"{target.name} already owns this case", code="handoff-to-owner")
    previous = case.owner_id
    case.owner_id = target.id
    case.handoffs += 1
    case.updated_at = now
    add_event(
        session,
        case=case,
        kind="handoff",
        at=now,
        actor=actor,
        note=reason,
        data={"from": previous, "to": target.id},
    )
    session.add(
        Notification(
            user_id=target.id,
            case_id=case.id,
            kind="handoff",
            text=f"{case_ref(case.id)} is now yours: {reason}",
            created_at=now,
        )
    )
    session.flush()
    return case
