"""Offset pagination that never counts the whole table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


def paginate(session: Session, stmt: Select[Any], *, limit: int, offset: int) -> Page[Any]:
    """One page of ``stmt``; fetching one extra row tells whether another page exists."""
    limit = max(1, min(limit, MAX_LIMIT))
    rows = list(session.scalars(stmt.limit(limit + 1).offset(offset)))
    more = len(rows) > limit
    return Page(rows[:limit], limit, offset, offset + limit if more else None)
