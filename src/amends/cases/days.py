"""Cases counted by the day they were opened: the dashboard's figures over time.

What a case counts for is said once, by the view ``case_day_rows`` (migration d029):
``cases``, ``open`` while it is not closed, and each clock's ``*_within`` flag once
judged. Triggers append each case's rows to ``case_day_counts`` as it changes, and
:func:`fold` replaces each changed day's rows by their sums, so a span of whole days
sums a few rows per day whatever the number of cases. A span that does not start and
end at midnight (UTC), or a team's cases, is counted from the cases instead (one grouped
scan of those opened in it); the tests hold both to the view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Select,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from amends.cases.models import Case, CaseDayCount
from amends.db import begin_writing

DAY = timedelta(days=1)
# Before any case: the start of a span that reaches back to the first case.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Key = tuple[str, str, str]  # category, metric, value


def midnight_after(moment: datetime) -> datetime:
    """The first midnight (UTC) not before ``moment``: the end of its day."""
    utc = moment.astimezone(UTC)
    start = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return start if start == utc else start + DAY


def whole_days(span: timedelta) -> timedelta:
    """``span`` rounded up to whole days."""
    return DAY * -(-span // DAY)


def _at_midnight(moment: datetime) -> bool:
    return midnight_after(moment) == moment


def counts_between(
    session: Session,
    edges: Sequence[datetime],
    metrics: Collection[str],
    owners: Collection[int] | None = None,
    *,
    by_category: bool = False,
) -> list[dict[Key, int]]:
    """For each span [edges[i], edges[i + 1]) (edges ascending): how many cases opened in
    it count for each of ``metrics``, as {(category, metric, value): n} (category ""
    unless ``by_category``); with ``owners``, only the cases they own.

    ``metrics`` is ``open`` alone, or any of ``cases`` and the ``*_within`` flags.
    """
    if "open" in metrics and len(metrics) > 1:
        raise ValueError("open cases are counted on their own")
    if len(edges) < 2:
        return []
    if owners is None and all(_at_midnight(edge) for edge in edges):
        rows = _kept(edges, metrics, by_category)
    else:
        rows = _recounted(edges, metrics, owners, by_category)
    spans: list[dict[Key, int]] = [defaultdict(int) for _ in edges[:-1]]
    for index, category, metric, value, n in session.execute(rows):
        if n:
            spans[index][(str(category or ""), str(metric), str(value))] += int(n)
    return [dict(counts) for counts in spans]


def _span(at: Any, bounds: Sequence[Any]) -> Any:
    """Which span a row falls in: the latest start it is not before."""
    return when(*((at >= bound, i) for i, bound in reversed(list(enumerate(bounds[:-1])))))


def _kept(edges: Sequence[datetime], metrics: Collection[str], by_category: bool) -> Select[Any]:
    """The kept day counts summed by span: a few rows per day."""
    c = CaseDayCount.__table__.c
    bounds = [edge.astimezone(UTC).date() for edge in edges]
    span = _span(c.day, bounds)
    by = [c.category] if by_category else []
    return (
        select(span, *(by or [literal("")]), c.metric, c.value, func.sum(c.n))
        .where(c.day >= bounds[0], c.day < bounds[-1], c.metric.in_(list(metrics)))
        .group_by(span, *by, c.metric, c.value)
    )


def _recounted(
    edges: Sequence[datetime],
    metrics: Collection[str],
    owners: Collection[int] | None,
    by_category: bool,
) -> Select[Any]:
    """The same counts from the cases opened in the spans, in one grouped scan that the
    dashboard's covering indexes serve (ix_cases_open_age for open cases,
    ix_cases_attainment for the flags, ix_cases_themes by category); what each metric
    counts is the view ``case_day_rows``, which the tests hold this to."""
    c = Case.__table__.c
    span = _span(c.opened_at, edges)
    by = [c.category] if by_category else []
    where = [c.opened_at >= edges[0], c.opened_at < edges[-1]]
    if "open" in metrics:
        where.append(c.closed_at.is_(None))
    if owners is not None:
        where.append(c.owner_id.in_(list(owners)))
    flags = [m for m in metrics if m.endswith("_within")]
    # A CTE: the cases are grouped once, and each metric's arm reads the groups.
    category = (by[0] if by else literal("")).label("category")
    grouped = (
        select(span.label("span"), category, *(c[m] for m in flags), func.count().label("n"))
        .where(*where)
        .group_by(span, *by, *(c[m] for m in flags))
        .cte("grouped")
    )
    g = grouped.c
    arms = [
        select(g.span, g.category, literal(m), literal(""), g.n)
        for m in metrics
        if m in ("cases", "open")
    ]
    arms += [
        select(g.span, g.category, literal(m), when((g[m], "1"), else_="0"), g.n).where(
            g[m].is_not(None)
        )
        for m in flags
    ]
    return union_all(*arms)  # type: ignore[return-value]


def fold(session: Session) -> int:
    """Replace the rows of every day written since the last fold by their sums (zero
    sums dropped); returns how many days were folded.

    Writers only append rows, and a fold takes only the rows it can see: on PostgreSQL
    one statement deletes them and inserts their sums, so a row appended meanwhile is
    left for the next fold and a reader sees the day before or after, never half; on
    SQLite the write lock, taken first, keeps everyone else out meanwhile.
    """
    if session.get_bind().dialect.name == "postgresql":
        folded = session.execute(
            text(
                "WITH touched AS (SELECT DISTINCT day FROM case_day_counts WHERE NOT folded),"
                " gone AS (DELETE FROM case_day_counts"
                "  WHERE day IN (SELECT day FROM touched)"
                "  RETURNING day, category, metric, value, n),"
                " summed AS (INSERT INTO case_day_counts (day, category, metric, value, n, folded)"
                "  SELECT day, category, metric, value, SUM(n), true FROM gone"
                "  GROUP BY day, category, metric, value HAVING SUM(n) <> 0)"
                " SELECT count(*) FROM touched"
            )
        ).scalar_one()
        return int(folded)
    begin_writing(session)
    c = CaseDayCount.__table__.c
    days = list(session.scalars(select(c.day).where(~c.folded).distinct()))
    if not days:
        return 0
    last = session.scalar(select(func.max(c.id)))
    chosen = (c.day.in_(days), c.id <= last)
    session.execute(
        insert(CaseDayCount).from_select(
            ["day", "category", "metric", "value", "n", "folded"],
            select(c.day, c.category, c.metric, c.value, func.sum(c.n), literal_column("1"))
            .where(*chosen)
            .group_by(c.day, c.category, c.metric, c.value)
            .having(func.sum(c.n) != 0),
        )
    )
    session.execute(delete(CaseDayCount).where(*chosen))
    return len(days)
