"""The commitment ledger at work: judging occurrences, the breach sweep, due-soon lists and
the customer's expectations view (service layer: flushes, never commits)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.commitments import bulk
from amends.commitments.models import Commitment, Delivery
from amends.commitments.occurrences import (
    Occurrence,
    OccurrenceStatus,
    due_times,
    match,
)
from amends.commitments.rules import CommitmentStatus
from amends.people.rules import Action, Actor
from amends.people.service import require


class Promised(Protocol):
    """What the ledger needs of a commitment: an ORM object or a plain row will do."""

    @property
    def id(self) -> int: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def owner_id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def rrule(self) -> str | None: ...
    @property
    def grace_hours(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def checked_through(self) -> datetime | None: ...
    @property
    def next_check_at(self) -> datetime | None: ...
    @property
    def value(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...


def grace_of(commitment: Promised) -> timedelta:
    return timedelta(hours=commitment.grace_hours)


def next_deadline(
    commitment: Promised, checked_through: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """(next due time, its deadline) after ``checked_through``; (None, None) when done."""
    if commitment.due_at is None or commitment.status != CommitmentStatus.ACTIVE:
        return None, None
    after = checked_through - grace_of(commitment) if checked_through else None
    start = max(after or commitment.due_at, commitment.due_at)
    upcoming = due_times(
        commitment.due_at, commitment.rrule, until=start + timedelta(days=400), after=after
    )
    if not upcoming:
        return None, None
    return upcoming[0], upcoming[0] + grace_of(commitment)


def reschedule(commitment: Commitment) -> None:
    """After creating or changing a commitment: the next deadline the sweep must judge."""
    commitment.next_due_at, commitment.next_check_at = next_deadline(
        commitment, commitment.checked_through
    )


def occurrences(
    commitment: Promised,
    deliveries: list[tuple[int, datetime]],
    *,
    now: datetime,
    horizon: timedelta = timedelta(days=31),
) -> list[Occurrence]:
    """Every occurrence from the first due time until ``now + horizon``, graded."""
    if commitment.due_at is None:
        return []
    due = due_times(commitment.due_at, commitment.rrule, until=now + horizon)
    return match(due, deliveries, grace=grace_of(commitment), now=now)


def deliveries_for(
    session: Session, commitment_ids: list[int]
) -> defaultdict[int, list[tuple[int, datetime]]]:
    """(delivery id, delivered_at) per commitment, for a batch of commitments at once."""
    found: defaultdict[int, list[tuple[int, datetime]]] = defaultdict(list)
    if not commitment_ids:
        return found
    for delivery_id, commitment_id, at in session.execute(
        select(Delivery.id, Delivery.commitment_id, Delivery.delivered_at).where(
            Delivery.commitment_id.in_(commitment_ids)
        )
    ):
        found[commitment_id].append((delivery_id, at))
    return found


@dataclass(frozen=True)
class Judged:
    commitments_checked: int
    missed: list[bulk.Missed]


def judge_due(session: Session, *, now: datetime, window: bulk.Window | None = None) -> Judged:
    """Judge every occurrence whose deadline passed since the last sweep (in ``window``,
    else all of them).

    Only commitments with ``next_check_at < now`` are read (an index range), so a sweep
    with nothing newly due costs two empty lookups. Judging is set-based for one-off
    promises and works on raw rows for recurring ones (see :mod:`bulk`); each judged
    commitment is claimed by a compare-and-set on ``next_check_at`` and breaches are
    unique per occurrence, so two sweepers at once never record a miss twice, and only
    the sweeper that recorded a miss is handed it.
    """
    session.flush()  # the raw statements below must see pending changes
    if window is None:
        window = bulk.Window(scan=bulk.scan_in_rowid_order(session, now=now))
    with bulk.roomy_cache(session, enabled=window.scan):
        one_offs, missed = bulk.judge_one_offs(session, now=now, window=window)
        recurring, more = bulk.judge_recurring(session, now=now, window=window)
    bulk.restate(session, judged=one_offs + recurring)
    return Judged(one_offs + recurring, missed + more)


@dataclass(frozen=True)
class DueSoon:
    commitment_id: int
    customer_id: int
    owner_id: int | None
    title: str
    due_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "commitment_id": self.commitment_id,
            "customer_id": self.customer_id,
            "owner_id": self.owner_id,
            "title": self.title,
            "due_at": self.due_at.isoformat(),
        }


def due_soon(
    session: Session,
    *,
    now: datetime,
    window: timedelta = timedelta(days=3),
    owner_id: int | None = None,
    limit: int = 500,
) -> list[DueSoon]:
    """Promises falling due within ``window`` with no delivery yet: prevent, don't recover."""
    stmt = (
        select(Commitment)
        .where(
            Commitment.status == CommitmentStatus.ACTIVE,
            # Judged promises keep their last next_due_at (the sweep leaves it to save
            # index writes); a deadline still ahead is what makes a promise due soon.
            Commitment.next_check_at >= now,
            Commitment.next_due_at.is_not(None),
            Commitment.next_due_at <= now + window,
        )
        .order_by(Commitment.next_due_at, Commitment.id)
        .limit(limit)
    )
    if owner_id is not None:
        stmt = stmt.where(Commitment.owner_id == owner_id)
    found = list(session.scalars(stmt))
    delivered = deliveries_for(session, [c.id for c in found])
    out = []
    for commitment in found:
        for occ in occurrences(commitment, delivered[commitment.id], now=now, horizon=window):
            if occ.status in {OccurrenceStatus.UPCOMING, OccurrenceStatus.DUE} and (
                occ.due_at <= now + window
            ):
                out.append(
                    DueSoon(
                        commitment.id,
                        commitment.customer_id,
                        commitment.owner_id,
                        commitment.title,
                        occ.due_at,
                    )
                )
    return sorted(out, key=lambda d: (d.due_at, d.commitment_id))


def expectations(
    session: Session, customer_id: int, *, actor: Actor, now: datetime
) -> list[tuple[Commitment, list[Occurrence]]]:
    """Every commitment of the customer with its occurrences graded: what they expect."""
    require(actor, Action.READ)
    commitments = list(
        session.scalars(
            select(Commitment).where(Commitment.customer_id == customer_id).order_by(Commitment.id)
        )
    )
    delivered = deliveries_for(session, [c.id for c in commitments])
    return [(c, occurrences(c, delivered[c.id], now=now)) for c in commitments]


def expectation_dict(commitment: Commitment, occs: list[Occurrence]) -> dict[str, Any]:
    return {
        "commitment_id": commitment.id,
        "external_id": commitment.external_id,
        "title": commitment.title,
        "kind": commitment.kind,
        "rrule": commitment.rrule,
        "value": str(commitment.value),
        "currency": commitment.currency,
        "occurrences": [
            {
                "due_at": o.due_at.isoformat(),
                "deadline": o.deadline.isoformat(),
                "status": o.status.value,
                "delivery_id": o.delivery_id,
                "delivered_at": o.delivered_at.isoformat() if o.delivered_at else None,
            }
            for o in occs
        ],
    }
