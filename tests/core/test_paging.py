"""Walking every page of a listing, as the list commands do."""

from __future__ import annotations

from amends.paging import MAX_LIMIT, Page, pages

ITEMS = list(range(1234))


def fetch(offset: int, size: int) -> Page[int]:
    assert 1 <= size <= MAX_LIMIT
    items = ITEMS[offset : offset + size]
    more = offset + size < len(ITEMS)
    return Page(items, size, offset, offset + size if more else None)


def test_stops_at_the_limit() -> None:
    got = [i for items in pages(fetch, limit=1000) for i in items]
    assert got == ITEMS[:1000]


def test_stops_at_the_last_page() -> None:
    got = [i for items in pages(fetch, limit=100_000) for i in items]
    assert got == ITEMS
