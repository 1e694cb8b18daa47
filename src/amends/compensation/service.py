"""Compensation given on cases, within the agent's limit or with a manager's approval."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.cases.models import Case, Notification
from amends.cases.rules import EventKind, NotificationKind, case_ref
from amends.cases.service import add_event, get_case
from amends.commitments.models import Breach, Commitment
from amends.compensation.models import Compensation
from amends.compensation.rules import (
    CompensationKind,
    CompensationStatus,
    Recommendation,
    needs_approval,
    recommend,
    transition,
)
from amends.customers.models import Customer
from amends.errors import Forbidden, InvalidInput, NotFound
from amends.people import access
from amends.people.models import User
from amends.people.rules import Action, Actor, Role
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.playbook.rules import CompensationPolicy
from amends.web.i18n import english, said
from amends.web.vocabulary import N_
from amends.workspace import service as workspace


def record(
    session: Session,
    *,
    case: Case,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    kind: str,
    amount: Decimal,
    currency: str | None,
    rationale: str,
) -> Compensation:
    try:
        kind_value = CompensationKind(kind)
    except ValueError:
        raise InvalidInput(
            f"unknown compensation kind {kind!r}", code="compensation-kind"
        ) from None
    if kind_value is CompensationKind.NONE:
        if len(rationale.strip()) < 3:
            raise InvalidInput(
                N_("no compensation needs the reason why"), code="compensation-reason"
            )
        amount = Decimal("0")
    elif amount <= 0 and kind_value in {CompensationKind.REFUND, CompensationKind.CREDIT}:
        raise InvalidInput(N_("a refund or credit needs an amount"), code="compensation-amount")
    ws_currency = _workspace_currency(session)
    customer = session.get(Customer, case.customer_id)
    # Money is given in the customer's currency unless the agent names another.
    currency = currency or (customer.currency if customer else ws_currency)
    limit = limit_for(session, actor, currency, playbook.compensation)
    held = needs_approval(actor.role, amount, limit)
    item = Compensation(
        case_id=case.id,
        kind=kind_value,
        amount=amount,
        currency=currency,
        rationale=rationale,
        status=CompensationStatus.REQUESTED if held else CompensationStatus.GRANTED,
        requested_by=actor.user_id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    add_event(
        session,
        case=case,
        kind=EventKind.COMPENSATION_REQUESTED if held else EventKind.COMPENSATION_GRANTED,
        at=now,
        actor=actor,
        note=rationale,
        data={
            "compensation_id": item.id,
            "kind": item.kind,
            "amount": str(amount),
            "currency": currency,
            "limit": None if limit is None else str(limit),
        },
    )
    _audit(session, item, actor, "compensation.requested" if held else "compensation.granted", now)
    if held:
        approvers = session.scalars(
            select(User).where(User.role.in_([Role.MANAGER, Role.OWNER]), User.active)
        )
        asked = said(
            N_("%(ref)s: approve a %(kind)s of %(amount)s?"),
            ref=case_ref(case.id),
            kind=kind_value.value,
            amount=str(amount),
            currency=currency,
            compensation_id=item.id,
            fmt={"kind": "tr", "amount": "money"},
        )
        for user in approvers:
            session.add(
                Notification(
                    user_id=user.id,
                    case_id=case.id,
                    kind=NotificationKind.APPROVAL_NEEDED,
                    created_at=now,
                    text=english(asked),
                    data=asked,
                )
            )
    return item


def approved_for(session: Session, case_id: int) -> Compensation | None:
    return session.scalar(
        select(Compensation)
        .where(
            Compensation.case_id == case_id,
            Compensation.status == CompensationStatus.APPROVED,
        )
        .order_by(Compensation.id.desc())
        .limit(1)
    )


def decide(
    session: Session,
    compensation_id: int,
    *,
    actor: Actor,
    now: datetime,
    approve: bool,
    note: str = "",
) -> Compensation:
    """A manager's decision on a held compensation (``recovery.flows.decide_compensation``
    also completes the compensate step it was holding)."""
    require(actor, Action.WRITE)
    if actor.role not in {Role.MANAGER, Role.OWNER}:
        raise Forbidden("only a manager or the owner approves compensation above the limit")
    item = session.get(Compensation, compensation_id)
    if item is None:
        raise NotFound(
            f"compensation {compensation_id} does not exist", code="compensation-not-found"
        )
    case = get_case(session, item.case_id, actor=actor)
    item.status = transition(
        item.status, CompensationStatus.APPROVED if approve else CompensationStatus.DECLINED
    )
    item.decided_by = actor.user_id
    item.decided_at = now
    item.decision_note = note
    # Decided once for everyone: the other approvers' bells stop asking about it.
    for asked in session.scalars(
        select(Notification).where(
            Notification.case_id == item.case_id,
            Notification.kind == NotificationKind.APPROVAL_NEEDED,
            Notification.read_at.is_(None),
        )
    ):
        if (asked.data or {}).get("args", {}).get("compensation_id") == item.id:
            asked.read_at = now
    add_event(
        session,
        case=case,
        kind=EventKind.COMPENSATION_APPROVED if approve else EventKind.COMPENSATION_DECLINED,
        at=now,
        actor=actor,
        note=note,
        data={"compensation_id": item.id},
    )
    _audit(session, item, actor, f"compensation.{item.status.value}", now)
    session.flush()
    return item


def _audit(session: Session, item: Compensation, actor: Actor, action: str, now: datetime) -> None:
    """Money given or decided goes in the audit log as well as on the case's timeline."""
    audit.record(
        session,
        actor_id=actor.user_id,
        action=action,
        subject=f"compensation:{item.id}",
        detail={
            "case_id": item.case_id,
            "kind": item.kind.value,
            # As stored (two places), whether or not the row was read back yet.
            "amount": str(Decimal(item.amount).quantize(Decimal("0.01"))),
            "currency": item.currency,
        },
        now=now,
    )


def for_case(session: Session, case_id: int) -> list[Compensation]:
    return list(
        session.scalars(
            select(Compensation).where(Compensation.case_id == case_id).order_by(Compensation.id)
        )
    )


def limit_for(
    session: Session, actor: Actor, currency: str, policy: CompensationPolicy
) -> Decimal | None:
    """What ``actor`` may give in ``currency`` without a manager: their own limit when a
    manager set one, else the playbook's agent limit; None when neither says."""
    own = access.limit_of(session, actor.user_id, currency)
    if own is not None:
        return own
    return policy.limit_for(currency, _workspace_currency(session))


def _workspace_currency(session: Session) -> str:
    ws = workspace.current(session)
    return ws.currency if ws else "EUR"


def recommendation_for(
    session: Session, case: Case, *, now: datetime, policy: CompensationPolicy
) -> Recommendation:
    """The policy's suggestion for this case, from what failed, the customer's value,
    the severity, whether it is a repeat and how late it is, capped in its currency."""

    customer = session.get(Customer, case.customer_id)
    commitment = session.get(Commitment, case.commitment_id) if case.commitment_id else None
    first_deadline = session.scalar(
        select(func.min(Breach.deadline)).where(Breach.case_id == case.id)
    )
    lateness = (now - first_deadline) if first_deadline else timedelta()
    currency = (commitment.currency if commitment else None) or (
        customer.currency if customer else _workspace_currency(session)
    )
    return recommend(
        failed_value=commitment.value if commitment else Decimal("0"),
        recurring_value=customer.recurring_value if customer else Decimal("0"),
        currency=currency,
        severity=case.severity,
        is_repeat=bool(case.repeat_of),
        lateness=lateness,
        recurring_service=bool(commitment and commitment.rrule)
        or bool(customer and customer.recurring_value > 0 and not commitment),
        policy=policy.settings,
        cap=policy.cap_for(currency, _workspace_currency(session)),
    )
