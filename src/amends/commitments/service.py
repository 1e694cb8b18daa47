"""Commitments (what was promised) and deliveries (evidence it was done)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amends.clock import CLOCK_SKEW
from amends.commitments import ledger
from amends.commitments.models import Commitment, Delivery, WebhookReceipt
from amends.commitments.rules import (
    CommitmentKind,
    CommitmentStatus,
    schedule_problem,
    transition,
)
from amends.customers.models import Customer
from amends.errors import Conflict, InvalidInput, NotFound
from amends.fields import MAX_DB_INT
from amends.paging import Page, paginate
from amends.people.models import User
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.text.digits import is_digits


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is not None and session.get(User, owner_id) is None:
        raise InvalidInput(f"owner {owner_id} is not a user", code="owner-not-found")


def create_commitment(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    customer_id: int,
    title: str,
    kind: CommitmentKind,
    currency: str,
    due_at: datetime | None = None,
    rrule: str | None = None,
    grace_hours: int = 0,
    manner: str = "",
    owner_id: int | None = None,
    value: Decimal = Decimal("0"),
    source_ref: str | None = None,
    external_id: str | None = None,
    status: CommitmentStatus = CommitmentStatus.ACTIVE,
) -> Commitment:
    require(actor, Action.WRITE)
    if session.get(Customer, customer_id) is None:
        raise InvalidInput(f"customer {customer_id} does not exist", code="customer-not-found")
    _check_owner(session, owner_id)
    problem = schedule_problem(kind, due_at, rrule)
    if problem:
        raise InvalidInput(problem, code="schedule-invalid")
    if external_id is not None and session.scalar(
        select(Commitment.id).where(Commitment.external_id == external_id)
    ):
        raise Conflict(
            f"a commitment with external id {external_id!r} exists", code="commitment-exists"
        )
    commitment = Commitment(
        external_id=external_id,
        customer_id=customer_id,
        title=title,
        kind=kind,
        manner=manner,
        due_at=due_at,
        rrule=rrule or None,
        grace_hours=grace_hours,
        owner_id=owner_id,
        value=value,
        currency=currency,
        source_ref=source_ref,
        status=status,
        created_at=now,
        updated_at=now,
    )
    ledger.reschedule(commitment)
    session.add(commitment)
    session.flush()
    return commitment


def get_commitment(session: Session, commitment_id: int, *, actor: Actor) -> Commitment:
    require(actor, Action.READ)
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound(f"commitment {commitment_id} does not exist", code="commitment-not-found")
    return commitment


COMMITMENT_UPDATABLE = frozenset(
    {"title", "manner", "due_at", "rrule", "grace_hours", "owner_id", "value", "status"}
)


def update_commitment(
    session: Session,
    commitment_id: int,
    *,
    actor: Actor,
    now: datetime,
    changes: dict[str, object],
) -> Commitment:
    require(actor, Action.WRITE)
    commitment = get_commitment(session, commitment_id, actor=actor)
    unknown = set(changes) - COMMITMENT_UPDATABLE
    if unknown:
        raise Conflict(f"cannot change {', '.join(sorted(unknown))}", code="field-not-updatable")
    if "owner_id" in changes:
        _check_owner(session, changes["owner_id"])  # type: ignore[arg-type]
    due_at = changes.get("due_at", commitment.due_at)
    rrule = changes.get("rrule", commitment.rrule)
    problem = schedule_problem(commitment.kind, due_at, rrule)  # type: ignore[arg-type]
    if problem:
        raise InvalidInput(problem, code="schedule-invalid")
    if "status" in changes:
        changes["status"] = transition(commitment.status, changes["status"])  # type: ignore[arg-type]
    for key, value in changes.items():
        setattr(commitment, key, value)
    if {"due_at", "rrule", "grace_hours", "status"} & set(changes):
        ledger.reschedule(commitment)
    commitment.updated_at = now
    session.flush()
    return commitment


def list_commitments(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    customer_id: int | None = None,
    status: CommitmentStatus | None = None,
    kind: CommitmentKind | None = None,
    owner_id: int | None = None,
) -> Page[Commitment]:
    require(actor, Action.READ)
    stmt = select(Commitment).order_by(Commitment.id)
    if customer_id is not None:
        stmt = stmt.where(Commitment.customer_id == customer_id)
    if status is not None:
        stmt = stmt.where(Commitment.status == status)
    if kind is not None:
        stmt = stmt.where(Commitment.kind == kind)
    if owner_id is not None:
        stmt = stmt.where(Commitment.owner_id == owner_id)
    return paginate(session, stmt, limit=limit, offset=offset)


def add_delivery(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    commitment_id: int,
    delivered_at: datetime,
    note: str = "",
    link: str | None = None,
    by_user_id: int | None = None,
) -> Delivery:
    require(actor, Action.WRITE)
    get_commitment(session, commitment_id, actor=actor)
    _check_owner(session, by_user_id)
    delivery = Delivery(
        commitment_id=commitment_id,
        delivered_at=delivered_at,
        by_user_id=by_user_id if by_user_id is not None else actor.user_id,
        note=note,
        link=link,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def get_delivery(session: Session, delivery_id: int, *, actor: Actor) -> Delivery:
    require(actor, Action.READ)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} does not exist", code="delivery-not-found")
    return delivery


def update_delivery(
    session: Session, delivery_id: int, *, actor: Actor, changes: dict[str, object]
) -> Delivery:
    require(actor, Action.WRITE)
    delivery = get_delivery(session, delivery_id, actor=actor)
    unknown = set(changes) - {"delivered_at", "note", "link"}
    if unknown:
        raise Conflict(f"cannot change {', '.join(sorted(unknown))}", code="field-not-updatable")
    for key, value in changes.items():
        setattr(delivery, key, value)
    session.flush()
    return delivery


def list_deliveries(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    commitment_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[Delivery]:
    require(actor, Action.READ)
    stmt = select(Delivery).order_by(Delivery.delivered_at, Delivery.id)
    if commitment_id is not None:
        stmt = stmt.where(Delivery.commitment_id == commitment_id)
    if since is not None:
        stmt = stmt.where(Delivery.delivered_at >= since)
    if until is not None:
        stmt = stmt.where(Delivery.delivered_at < until)
    return paginate(session, stmt, limit=limit, offset=offset)


def find_commitment(session: Session, key: str, *, actor: Actor) -> Commitment:
    """By numeric id or by external id (as scripts and CSV files refer to them)."""
    require(actor, Action.READ)
    found = None
    if is_digits(key) and int(key) <= MAX_DB_INT:
        found = session.get(Commitment, int(key))
    if found is None:
        found = session.scalar(select(Commitment).where(Commitment.external_id == key))
    if found is None:
        raise NotFound(f"no commitment with id or external id {key!r}", code="commitment-not-found")
    return found


# How far a signed webhook body's sent_at may lie from now; beyond it the body is stale.
WEBHOOK_WINDOW = timedelta(minutes=5)
# A delivery reported by another system happened in the past year, not in 1900 or 9999.
DELIVERY_LOOKBACK = timedelta(days=366)


def take_webhook_receipt(
    session: Session, *, delivery_id: str, sent_at: datetime, now: datetime
) -> None:
    """Accept a signed delivery once: refuse it when stale or when its id was seen."""
    if abs(now - sent_at) > WEBHOOK_WINDOW:
        raise InvalidInput(
            "sent_at is more than 5 minutes from the server's time; send a fresh delivery",
            code="webhook-stale",
        )
    # Ids older than the window can go: a copy of one would be refused as stale.
    session.execute(delete(WebhookReceipt).where(WebhookReceipt.sent_at < now - WEBHOOK_WINDOW))
    try:
        with session.begin_nested():
            session.add(WebhookReceipt(delivery_id=delivery_id, sent_at=sent_at, received_at=now))
    except IntegrityError:
        # The unique id also settles two copies racing each other.
        raise Conflict(
            f"delivery {delivery_id} was already received", code="webhook-replayed"
        ) from None


def check_delivered_at(delivered_at: datetime, *, now: datetime) -> None:
    """A reported delivery time must be a real one: within the past year, not ahead."""
    if not now - DELIVERY_LOOKBACK <= delivered_at <= now + CLOCK_SKEW:
        raise InvalidInput(
            "delivered_at must lie within the past year and not in the future",
            code="delivered-at-out-of-range",
        )
