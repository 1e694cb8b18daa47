"""The case timeline: every change to a case is an appended event (who, what, when)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from amends.cases.models import Case, TimelineEvent
from amends.cases.rules import EventKind
from amends.people.rules import Actor


def add_event(
    session: Session,
    *,
    case: Case,
    kind: EventKind,
    at: datetime,
    actor: Actor,
    note: str = "",
    data: dict[str, Any] | None = None,
    flush: bool = True,
) -> TimelineEvent:
    """Append to the case's timeline; ``flush=False`` lets a batch insert many at once."""
    event = TimelineEvent(
        case_id=case.id, at=at, actor_id=actor.user_id, kind=kind, note=note, data=data or {}
    )
    session.add(event)
    if flush:
        session.flush()
    return event
