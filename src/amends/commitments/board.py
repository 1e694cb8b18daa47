"""The commitments board (reads only): what falls due in the next days, and what was
missed and is not yet in a case, grouped by the promise's owner.

A miss is "not yet in a case" while the sweep has not judged it (the commitment's next
deadline to check is behind us) or when its breach row has no case. Once the sweep
records the breach it opens or joins a case, and the miss leaves the board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.commitments.ledger import deliveries_for, due_soon, occurrences
from amends.commitments.models import Breach, Commitment
from amends.commitments.occurrences import OccurrenceStatus
from amends.commitments.rules import CommitmentStatus
from amends.people.rules import Action, Actor
from amends.people.service import require

DAYS = 7
SHOWN = 500


@dataclass(frozen=True)
class Item:
    commitment_id: int
    customer_id: int
    owner_id: int | None
    title: str
    due_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "commitment_id": self.commitment_id,
            "customer_id": self.customer_id,
            "title": self.title,
            "due_at": self.due_at.isoformat(),
        }


@dataclass
class Lane:
    owner_id: int | None
    due: list[Item] = field(default_factory=list)
    missed: list[Item] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner_id": self.owner_id,
            "due": [i.as_dict() for i in self.due],
            "missed": [i.as_dict() for i in self.missed],
        }


def _missed(session: Session, *, now: datetime, owner_id: int | None) -> list[Item]:
    found: dict[tuple[int, datetime], Item] = {}
    unswept = (
        select(Commitment)
        .where(
            Commitment.status == CommitmentStatus.ACTIVE,
            Commitment.next_check_at.is_not(None),
            Commitment.next_check_at < now,
        )
        .order_by(Commitment.next_check_at, Commitment.id)
        .limit(SHOWN)
    )
    if owner_id is not None:
        unswept = unswept.where(Commitment.owner_id == owner_id)
    promised = list(session.scalars(unswept))
    delivered = deliveries_for(session, [c.id for c in promised])
    for c in promised:
        for occ in occurrences(c, delivered[c.id], now=now, horizon=timedelta(0)):
            judged = c.checked_through is not None and occ.deadline <= c.checked_through
            if occ.status is OccurrenceStatus.MISSED and not judged:
                found[(c.id, occ.due_at)] = Item(
                    c.id, c.customer_id, c.owner_id, c.title, occ.due_at
                )
    caseless = (
        select(Breach, Commitment)
        .join(Commitment, Commitment.id == Breach.commitment_id)
        .where(Breach.case_id.is_(None), Commitment.status == CommitmentStatus.ACTIVE)
        .order_by(Breach.occurrence_due_at)
        .limit(SHOWN)
    )
    if owner_id is not None:
        caseless = caseless.where(Commitment.owner_id == owner_id)
    for breach, c in session.execute(caseless):
        due = breach.occurrence_due_at
        found.setdefault((c.id, due), Item(c.id, c.customer_id, c.owner_id, c.title, due))
    return sorted(found.values(), key=lambda i: (i.due_at, i.commitment_id))


def board(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    days: int = DAYS,
    owner_id: int | None = None,
) -> list[Lane]:
    """Lanes per owner (no owner last), each with its due-soon and missed promises."""
    require(actor, Action.READ)
    lanes: dict[int | None, Lane] = {}
    soon = due_soon(session, now=now, window=timedelta(days=days), owner_id=owner_id)
    for d in soon:
        item = Item(d.commitment_id, d.customer_id, d.owner_id, d.title, d.due_at)
        lanes.setdefault(d.owner_id, Lane(d.owner_id)).due.append(item)
    for item in _missed(session, now=now, owner_id=owner_id):
        lanes.setdefault(item.owner_id, Lane(item.owner_id)).missed.append(item)
    return sorted(lanes.values(), key=lambda lane: (lane.owner_id is None, lane.owner_id or 0))
