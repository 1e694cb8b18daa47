"""Offset pagination that never counts the whole table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def pages(fetch: Callable[[int, int], Page[T]], *, limit: int) -> Iterator[list[T]]:
    """The items of ``fetch(offset, page_limit)``, page after page, until ``limit`` items
    have come or the last page has (what a command listing everything needs)."""
    taken, offset = 0, 0
    while taken < limit:
        page = fetch(offset, min(MAX_LIMIT, limit - taken))
        taken += len(page.items)
        yield page.items
        if page.next_offset is None:
            return
        offset = page.next_offset
