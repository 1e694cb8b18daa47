"""Recovery flows that span domains (service layer: flushes only, the caller commits).

Every function here is the one path for its behaviour: the API, the pages, the CLI, the
intake and the demo call these rather than composing the domains themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases import statements
from amends.cases import steps as case_steps
from amends.cases.models import Case, Notification
from amends.cases.rules import (
    SPOKEN_STEPS,
    CaseState,
    Category,
    EventKind,
    NotificationKind,
    Origin,
    Outcome,
    Severity,
    Step,
    case_ref,
)
from amends.commitments import service as commitments
from amends.commitments.models import Commitment
from amends.commitments.rules import CommitmentStatus
from amends.compensation import service as compensations
from amends.compensation.models import Compensation
from amends.compensation.rules import CompensationStatus
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.customers.rules import CustomerStatus
from amends.errors import Conflict, Forbidden, InvalidInput
from amends.messages import outbox
from amends.messages import service as messages
from amends.messages.models import Message
from amends.messages.rules import Channel, Direction
from amends.patterns import service as patterns
from amends.patterns.rules import in_rounds
from amends.people.rules import Action, Actor, Role
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.web.i18n import english, said
from amends.web.vocabulary import N_
from amends.winback import service as winback

# -- opening cases ------------------------------------------------------------------------


def open_cases(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    specs: Sequence[cases.NewCase],
    playbook: Playbook,
    judge: bool = True,
) -> list[Case]:
    """Open cases and judge each for repeats and patterns, as if opened one by one.

    Cases are inserted in rounds holding at most one case per customer, so repeat
    detection (which looks at the customer's earlier cases) sees exactly what it would
    have seen had they been opened one after another. ``judge=False`` leaves judging to
    a caller about to store the customer's words (judging the bare subject first would
    only do the same work twice).
    """
    opened: list[Case | None] = [None] * len(specs)
    for turn in in_rounds(range(len(specs)), lambda i: specs[i].customer_id):
        batch = cases.open_cases(
            session, actor=actor, now=now, specs=[specs[i] for i in turn], playbook=playbook
        )
        for index, case in zip(turn, batch, strict=True):
            opened[index] = case
        if judge:
            patterns.cases_arrived(session, batch, now=now, playbook=playbook)
    return [case for case in opened if case is not None]


def open_case(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    customer_id: int,
    owner_id: int | None,
    title: str,
    severity: Severity = Severity.MEDIUM,
    category: Category = Category.OTHER,
    origin: Origin = Origin.MANUAL,
    commitment_id: int | None = None,
    opened_at: datetime | None = None,
    judge: bool = True,
    category_confidence: float | None = None,
) -> Case:
    """One case, opened with its single owner and judged as :func:`open_cases` does; the
    SLA clock starts at ``opened_at``; without ``owner_id`` the case is routed
    (``cases.default_owner``)."""
    if owner_id is None:
        owner_id = cases.default_owner(session, customer_id)
    spec = cases.NewCase(
        customer_id,
        owner_id,
        title,
        severity,
        category,
        origin,
        commitment_id,
        opened_at,
        category_confidence,
    )
    return open_cases(session, actor=actor, now=now, specs=[spec], playbook=playbook, judge=judge)[
        0
    ]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


def update_case(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    changes: dict[str, object],
    reason: str = "",
) -> Case:
    """Change a case's title, severity or category; a new category is judged again.

    A repeat is more severe because the customer was failed twice: lowering its severity
    takes a manager and a reason, which go on the timeline.
    """
    current = cases.get_case(session, case_id, actor=actor)
    before = current.category
    guessed = current.category_confidence is not None
    wanted = changes.get("severity")
    if (
        current.repeat_of
        and wanted is not None
        and _SEVERITY_RANK[Severity(str(wanted))] < _SEVERITY_RANK[Severity(current.severity)]
    ):
        if actor.role not in {Role.MANAGER, Role.OWNER}:
            raise Forbidden(
                "this case repeats an earlier failure; only a manager may lower its severity"
            )
        if len(reason.strip()) < 3:
            raise InvalidInput(
                N_("lowering the severity of a repeat needs the reason"), code="reason-required"
            )
    case = cases.update_case(
        session,
        case_id,
        actor=actor,
        now=now,
        playbook=playbook,
        changes=changes,
        note=reason.strip(),
    )
    if case.category != before or (guessed and case.category_confidence is None):
        # Recategorised (or its guessed category confirmed), the case may now complete
        # (or join) a pattern of its new kind.
        patterns.detect_pattern(session, case, now=now, policy=playbook.patterns)
    return case


# -- steps and compensation ---------------------------------------------------------------


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


def refuse_stray_compensation(steps: list[Step], compensation: CompensationInput | None) -> None:
    """A compensation is recorded by the compensate step (playbook step 5), with its
    limit and approval; given without that step it would be dropped, so it is refused."""
    if compensation is not None and Step.COMPENSATE not in steps:
        raise InvalidInput(
            N_(
                "a compensation is given with the compensate step: add that step, or leave "
                "the compensation out"
            ),
            code="compensation-without-step",
        )


def perform_steps(
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
    call_note: str | None = None,
) -> StepResult:
    """Complete ``steps`` (several at once if one message did them all).

    Acknowledging, explaining the change and following up are things said to the
    customer: they need the message that said them (``message_id``, as a reply carries),
    or a call recorded with its note. Explaining a change needs a corrective action
    behind it; compensating records what was given, and a compensation above the actor's
    limit holds the compensate step and every step after it until a manager approves.
    """
    require(actor, Action.WRITE)
    refuse_stray_compensation(steps, compensation)
    case = cases.get_case(session, case_id, actor=actor)
    if Step.CLOSE in steps and case.state is not CaseState.CLOSED:
        # Before the playbook's own checks: whatever else is missing, the employee the
        # complaint names is heard first.
        statements.refuse_close_without_statements(session, case)
    systemic = bool(patterns.patterns_of_case(session, case.id))
    plan = case_steps.plan(case, playbook=playbook, steps=steps, outcome=outcome, systemic=systemic)
    if Step.EXPLAIN_CHANGE in plan:
        patterns.require_corrective_action(session, case)
    if Step.CLOSE in plan:
        _refuse_close_while_pending(session, case)
    spoken = [s for s in plan if s in SPOKEN_STEPS]
    if spoken and message_id is None:
        if call_note is None or len(call_note.strip()) < 3:
            raise InvalidInput(
                f"{', '.join(spoken)} tell(s) the customer something: send it as a reply, "
                "or record the call with a note of what was said",
                code="message-required",
            )
        message_id = messages.record_message(
            session,
            actor=actor,
            now=now,
            direction=Direction.OUTBOUND,
            channel=Channel.PHONE,
            text=call_note.strip(),
            case_id=case.id,
            playbook=playbook,
        ).id
    result = StepResult(case)
    if Step.COMPENSATE in plan:
        approved = compensations.approved_for(session, case.id)
        if compensation is None and approved is None:
            raise InvalidInput(
                N_(
                    "the compensate step needs what is given (kind and amount), or kind 'none' "
                    "with the reason"
                ),
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
            if record.status is CompensationStatus.REQUESTED:
                cut = plan.index(Step.COMPENSATE)
                result.held = plan[cut:]
                plan = plan[:cut]
    result.done = case_steps.complete(
        session,
        case,
        plan,
        actor=actor,
        now=now,
        playbook=playbook,
        note=note,
        outcome=outcome,
        message_id=message_id,
    )
    if Step.CLOSE in result.done and outcome is not None:
        settle_customer(session, case, outcome, actor=actor, now=now)
        winback.case_closed(session, case, outcome, actor=actor, now=now, playbook=playbook)
    return result


def _refuse_close_while_pending(session: Session, case: Case) -> None:
    # A reply may already have promised what a manager has not yet decided; closing now
    # would leave that promise with nobody watching it.
    pending = session.scalar(
        select(Compensation)
        .where(
            Compensation.case_id == case.id,
            Compensation.status == CompensationStatus.REQUESTED,
        )
        .order_by(Compensation.id)
        .limit(1)
    )
    if pending is not None:
        raise Conflict(
            f"compensation {pending.id} ({pending.kind} {pending.amount} {pending.currency}) "
            "waits for a manager's decision; the case can close once it is approved or declined",
            code="compensation-pending",
            compensation_id=pending.id,
        )


def compensate(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    given: CompensationInput,
) -> StepResult:
    """Give something on a case: the first gift completes the compensate step (held for a
    manager when above the actor's limit); one given after that step is added to the
    ledger under the same limit, so a second, larger gesture still needs its approval."""
    case = cases.get_case(session, case_id, actor=actor)
    if Step.COMPENSATE.value not in case.steps_done.split(","):
        return perform_steps(
            session,
            case_id,
            actor=actor,
            now=now,
            playbook=playbook,
            steps=[Step.COMPENSATE],
            note=given.rationale,
            compensation=given,
        )
    require(actor, Action.WRITE)
    if case.state is CaseState.CLOSED:
        raise Conflict("the case is closed", code="case-closed")
    record = compensations.record(
        session,
        case=case,
        actor=actor,
        now=now,
        playbook=playbook,
        kind=given.kind,
        amount=given.amount,
        currency=given.currency,
        rationale=given.rationale,
    )
    return StepResult(case, compensation_id=record.id)


# What a case's outcome says about its customer, and what happens to their promises: a
# lost customer's are paused (no proactive apologies to someone who left), a won-back
# customer's paused ones resume, parting ways ends them.
_CUSTOMER_AFTER = {
    Outcome.LOST: (CustomerStatus.LOST, CommitmentStatus.ACTIVE, CommitmentStatus.PAUSED),
    Outcome.WON_BACK: (CustomerStatus.WON_BACK, CommitmentStatus.PAUSED, CommitmentStatus.ACTIVE),
    Outcome.PARTED_WAYS: (CustomerStatus.PARTED_WAYS, None, CommitmentStatus.ENDED),
}


def settle_customer(
    session: Session, case: Case, outcome: Outcome, *, actor: Actor, now: datetime
) -> None:
    """What a case's outcome makes of its customer and their promises (see above)."""
    customer = session.get(Customer, case.customer_id)
    assert customer is not None
    if customer.status is CustomerStatus.PARTED_WAYS and outcome is not Outcome.PARTED_WAYS:
        # Parting ways was a manager's decision; an older case closing after it does not
        # quietly take the customer back.
        return
    if outcome is Outcome.RETAINED:
        if customer.status is CustomerStatus.AT_RISK:
            customers.update_customer(
                session,
                customer.id,
                actor=actor,
                now=now,
                changes={"status": CustomerStatus.ACTIVE},
            )
        return
    status, before, after = _CUSTOMER_AFTER[outcome]
    previous = customer.status
    customers.update_customer(
        session, customer.id, actor=actor, now=now, changes={"status": status}
    )
    changed = []
    for commitment in session.scalars(
        select(Commitment).where(Commitment.customer_id == customer.id).order_by(Commitment.id)
    ):
        current = commitment.status
        if current is after or current is CommitmentStatus.ENDED:
            continue
        if before is not None and current is not before:
            continue
        commitments.update_commitment(
            session, commitment.id, actor=actor, now=now, changes={"status": after}
        )
        changed.append(commitment.id)
    cases.add_event(
        session,
        case=case,
        kind=EventKind.CUSTOMER_STATUS,
        at=now,
        actor=actor,
        data={
            "before": previous,
            "after": status.value,
            "commitments": changed,
            "commitment_status": after.value,
        },
    )


def decide_compensation(
    session: Session,
    compensation_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    approve: bool,
    note: str = "",
) -> Compensation:
    """A manager's decision; approving completes the compensate step it was holding."""
    item = compensations.decide(
        session, compensation_id, actor=actor, now=now, approve=approve, note=note
    )
    case = cases.get_case(session, item.case_id, actor=actor)
    if approve and Step.COMPENSATE.value not in case.steps_done.split(","):
        perform_steps(
            session,
            case.id,
            actor=actor,
            now=now,
            playbook=playbook,
            steps=[Step.COMPENSATE],
            note=note or "compensation approved",
        )
    if item.message_id is not None:
        if approve:
            outbox.release(session, message_id=item.message_id, now=now)
        else:
            # Declined: the reply that announced it goes back to its author as a draft.
            outbox.cancel(
                session, message_id=item.message_id, reason="its compensation was declined"
            )
            reply = session.get(Message, item.message_id)
            if reply is not None:
                reply.is_draft = True
        cases.add_event(
            session,
            case=case,
            kind=EventKind.REPLY_RELEASED if approve else EventKind.REPLY_RETURNED,
            at=now,
            actor=actor,
            data={"message_id": item.message_id, "compensation_id": item.id},
        )
    if item.requested_by is not None and item.requested_by != actor.user_id:
        if approve:
            sentence = (
                N_("%(ref)s: your %(kind)s of %(amount)s was approved.")
                if item.message_id is None
                else N_(
                    "%(ref)s: your %(kind)s of %(amount)s was approved. "
                    "The reply that announced it is sent now."
                )
            )
        else:
            sentence = (
                N_("%(ref)s: your %(kind)s of %(amount)s was declined.")
                if item.message_id is None
                else N_(
                    "%(ref)s: your %(kind)s of %(amount)s was declined. The reply that "
                    "announced it was not sent; it is back with you as a draft."
                )
            )
        told = said(
            sentence,
            ref=case_ref(case.id),
            kind=str(item.kind),
            amount=str(item.amount),
            currency=item.currency,
            fmt={"kind": "tr", "amount": "money"},
        )
        session.add(
            Notification(
                user_id=item.requested_by,
                case_id=case.id,
                kind=(
                    NotificationKind.COMPENSATION_APPROVED
                    if approve
                    else NotificationKind.COMPENSATION_DECLINED
                ),
                text=english(told),
                data=told,
                created_at=now,
            )
        )
        session.flush()
    return item
