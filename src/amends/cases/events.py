"""The case timeline: every change to a case is an appended event (who, what, when)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
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
    event = TimelineEvent(**_event_row(NewEvent(case.id, kind, at, actor, note, data)))
    session.add(event)
    if flush:
        session.flush()
    return event


@dataclass(frozen=True)
class NewEvent:
    """One timeline event for ``add_events``."""

    case_id: int
    kind: str
    at: datetime
    actor: Actor
    note: str = ""
    data: dict[str, Any] | None = None


def add_events(session: Session, events: Sequence[NewEvent]) -> None:
    """Append many events with one INSERT: the rows ``add_event`` makes, without an ORM
    object each (a thousand of those cost a bulk import more than its own SQL)."""
    if events:
        session.execute(insert(TimelineEvent), [_event_row(event) for event in events])


def _event_row(event: NewEvent) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "at": event.at,
        "actor_id": event.actor.user_id,
        "kind": event.kind,
        "note": event.note,
        "data": event.data or {},
    }
