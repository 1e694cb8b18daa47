"""Win-back sequences as people read them: found by id or listed, each with its steps,
its customer and owner, and the texts it sent (service layer: reads only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from amends.customers.models import Customer
from amends.errors import NotFound
from amends.messages.models import Message
from amends.paging import Page, paginate
from amends.people.models import User
from amends.people.rules import Action, Actor
from amends.winback.models import Winback, WinbackStep
from amends.winback.rules import WinbackStatus, is_running


def _visible(actor: Actor) -> list[ColumnElement[bool]]:
    # Managers see every sequence; anyone else the ones they write.
    if actor.allows(Action.MANAGE) or actor.user_id is None:
        return []
    if not actor.allows(Action.READ):
        return [Winback.owner_id == -1]
    return [Winback.owner_id == actor.user_id]


def get_winback(session: Session, winback_id: int, *, actor: Actor) -> Winback:
    item = session.scalar(select(Winback).where(Winback.id == winback_id, *_visible(actor)))
    if item is None:
        raise NotFound(f"win-back {winback_id} does not exist", code="winback-not-found")
    return item


def list_winbacks(
    session: Session,
    *,
    actor: Actor,
    status: WinbackStatus | None = None,
    customer_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Winback]:
    stmt = select(Winback).where(*_visible(actor))
    if status is not None:
        stmt = stmt.where(Winback.status == status)
    if customer_id is not None:
        stmt = stmt.where(Winback.customer_id == customer_id)
    return paginate(
        session,
        stmt.order_by(Winback.started_at.desc(), Winback.id.desc()),
        limit=limit,
        offset=offset,
    )


def steps_of(session: Session, winback_id: int) -> list[WinbackStep]:
    return list(
        session.scalars(
            select(WinbackStep)
            .where(WinbackStep.winback_id == winback_id)
            .order_by(WinbackStep.number)
        )
    )


def describe(session: Session, items: Sequence[Winback]) -> list[dict[str, Any]]:
    """Sequences as the API, the CLI and the pages show them."""
    if not items:
        return []
    ids = [item.id for item in items]
    steps: dict[int, list[WinbackStep]] = {}
    for step in session.scalars(
        select(WinbackStep)
        .where(WinbackStep.winback_id.in_(ids))
        .order_by(WinbackStep.winback_id, WinbackStep.number)
    ):
        steps.setdefault(step.winback_id, []).append(step)
    names = _pairs(
        session.execute(
            select(Customer.id, Customer.name).where(
                Customer.id.in_({item.customer_id for item in items})
            )
        )
    )
    owners = _pairs(
        session.execute(
            select(User.id, User.name).where(User.id.in_({item.owner_id for item in items}))
        )
    )
    return [
        _summary(item, steps.get(item.id, []), names.get(item.customer_id, ""), owners)
        for item in items
    ]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _summary(
    item: Winback, steps: list[WinbackStep], customer: str, owners: dict[int, str]
) -> dict[str, Any]:
    return {
        "id": item.id,
        "customer_id": item.customer_id,
        "customer": customer,
        "case_id": item.case_id,
        "owner_id": item.owner_id,
        "owner": owners.get(item.owner_id, ""),
        "status": item.status.value,
        "stop_reason": item.stop_reason.value if item.stop_reason else None,
        "started_at": _when(item.started_at),
        "stopped_at": _when(item.stopped_at),
        "decided_at": _when(item.decided_at),
        "next_due_at": _when(item.next_due_at) if is_running(item.status) else None,
        "note": item.note,
        "steps": [
            {
                "number": s.number,
                "day": s.day,
                "due_at": _when(s.due_at),
                "status": s.status.value,
                "sent_at": _when(s.sent_at),
                "message_id": s.message_id,
            }
            for s in steps
        ],
    }


def for_page(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary with its times as datetimes again, for the pages' date filters."""

    def back(row: dict[str, Any]) -> dict[str, Any]:
        return {
            k: datetime.fromisoformat(v) if k.endswith("_at") and isinstance(v, str) else v
            for k, v in row.items()
        }

    return {**back(summary), "steps": [back(step) for step in summary.get("steps", [])]}


def _pairs(rows: Any) -> dict[Any, Any]:
    """Two-column rows as a mapping from the first column to the second."""
    return {row[0]: row[1] for row in rows}


def sent_texts(session: Session, summary: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """The subject and text of each follow-up a summary says was sent, by message id."""
    ids = [s["message_id"] for s in summary.get("steps", []) if s.get("message_id")]
    if not ids:
        return {}
    return {
        row.id: (row.subject, row.text)
        for row in session.execute(
            select(Message.id, Message.subject, Message.text).where(Message.id.in_(ids))
        )
    }
