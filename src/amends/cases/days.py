"""Case counts by opening day: the figures of a span of days (weeks of attainment, open
cases by age, themes) without reading every case of the span.

``case_day_tallies`` (``CaseDayTally``) is kept by database triggers from the view
``case_day_rows`` (migration y029): per opening day in UTC and owner, and for owner 0
over every owner, the cases opened by category, those still open, and each clock met
or missed. ``day_counts`` sums the whole days of any ranges from it and counts only the
days a range boundary cuts (with a case on each side) from the view, so the figures
are exact.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, String, and_, column, func, or_, select, table
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from amends.cases.models import EVERY_OWNER, Case, CaseDayTally
from amends.db import UTCDateTime

# Each case's day rows, as the database view defines them (migration y029).
DAY_ROWS = table(
    "case_day_rows",
    column("case_id", Integer),
    column("opened_at", UTCDateTime()),
    column("owner_id", Integer),
    column("metric", String),
    column("value", String),
    column("n", Integer),
)

_DAY = timedelta(days=1)
S = TypeVar("S", bound=Select[Any])


def opened_within(
    stmt: S,
    rows: Any,
    *,
    since: datetime | None,
    until: datetime | None,
    owners: Collection[int] | None,
) -> S:
    """``stmt`` narrowed to the rows (of a view with ``opened_at`` and ``owner_id``) of
    the cases opened in [since, until) and owned by one of ``owners``, where given."""
    if since is not None:
        stmt = stmt.where(rows.opened_at >= since)
    if until is not None:
        stmt = stmt.where(rows.opened_at < until)
    if owners is not None:
        stmt = stmt.where(rows.owner_id.in_(list(owners)))
    return stmt


def _midnight(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def day_counts(
    session: Session,
    cuts: list[datetime],
    metrics: Collection[str],
    owners: Collection[int] | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[tuple[str, str], int]]:
    """The day rows (``case_day_rows``) of the cases opened in each range the ascending
    ``cuts`` make: range 0 before the first cut, range k from cut k-1 to cut k, the last
    from the last cut on; only cases opened in [since, until) when those are given.

    A whole UTC day comes from the kept ``case_day_tallies`` (a row per day and value,
    or per day, owner and value for a team); only the days a cut falls inside of are
    counted from the cases, so the figures are exact and cost a few days of cases
    whatever the period.
    """
    counts: list[dict[tuple[str, str], int]] = [defaultdict(int) for _ in range(len(cuts) + 1)]
    # A cut splits its day only if it falls inside it and some case was opened at or
    # after it: "now" usually has none, so today's tally row is whole on its side.
    latest = session.scalar(select(func.max(Case.opened_at)))
    edges = [
        c
        for c in (*cuts, since, until)
        if c is not None and c != _midnight(c) and latest is not None and c <= latest
    ]
    split = {_midnight(c).date() for c in edges}
    t = CaseDayTally.__table__.c
    kept = select(t.day, t.metric, t.value, func.sum(t.n)).where(t.metric.in_(list(metrics)))
    if since is not None:
        kept = kept.where(t.day >= _midnight(since).date())
    if until is not None:
        kept = kept.where(t.day <= _midnight(until).date())
    kept = kept.where(t.owner_id == EVERY_OWNER if owners is None else t.owner_id.in_(list(owners)))
    for day, metric, value, n in session.execute(kept.group_by(t.day, t.metric, t.value)):
        if day in split or not n:
            continue
        # A whole day lies in the range of the last cut at or before its start; with
        # ``until`` at midnight the day that starts there is past it.
        opened = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if until is not None and opened >= until:
            continue
        counts[bisect_right(cuts, opened)][(metric, value)] += int(n)
    if split:
        rows = DAY_ROWS.c
        # Newest cut first, so each case takes the range of the last cut it is not before.
        where = when(
            *((rows.opened_at >= c, k + 1) for k, c in reversed(list(enumerate(cuts)))), else_=0
        )
        spans = [
            and_(rows.opened_at >= lo, rows.opened_at < lo + _DAY)
            for lo in (datetime(d.year, d.month, d.day, tzinfo=UTC) for d in sorted(split))
        ]
        stmt = select(where, rows.metric, rows.value, func.sum(rows.n)).where(
            or_(*spans), rows.metric.in_(list(metrics))
        )
        stmt = opened_within(stmt, rows, since=since, until=until, owners=owners)
        stmt = stmt.group_by(where, rows.metric, rows.value)
        for index, metric, value, n in session.execute(stmt):
            counts[int(index)][(metric, value)] += int(n)
    return counts
