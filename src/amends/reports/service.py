"""Recovery metrics: how fast we acknowledge, how often we fix it in one go, how it ends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    Select,
    String,
    column,
    func,
    null,
    select,
    table,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from amends.cases import days
from amends.cases.models import Case
from amends.db import EnumText
from amends.people.models import User
from amends.people.rules import Action, Actor
from amends.people.service import get_team, members_of, require
from amends.reports import paradox
from amends.reports.models import CaseTally
from amends.reports.rules import (
    ACK_BANDS,
    AGE_BANDS,
    TallyMetric,
    banded,
    percentile,
    share,
    week_starts,
)

Key = tuple[int, str, TallyMetric, str]  # owner_id, category, metric, value (see CaseTally)

# Each case's tally rows, as the database view defines them (migration c008).
_TALLY_ROWS = table(
    "case_tally_rows",
    column("case_id", Integer),
    column("opened_at", DateTime(timezone=True)),
    column("owner_id", Integer),
    column("category", String),
    column("metric", EnumText(TallyMetric, 20)),
    column("value", String),
    column("n", Integer),
)


@dataclass
class _Bucket:
    cases: int = 0
    handoffs: int = 0
    ack_histogram: dict[int, int] = field(default_factory=dict)
    ack_within: int = 0
    ack_judged: int = 0
    # Each clock's attainment: (within its SLA, judged), by clock.
    within: dict[str, tuple[int, int]] = field(default_factory=dict)
    one_interaction: int = 0
    remedied: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, metric: TallyMetric, value: str, n: int) -> None:
        if metric is TallyMetric.CASES:
            self.cases += n
        elif metric is TallyMetric.HANDOFFS:
            self.handoffs += n
        elif metric is TallyMetric.ACK_MINUTES:
            minutes = int(value)
            self.ack_histogram[minutes] = self.ack_histogram.get(minutes, 0) + n
        elif metric is TallyMetric.ACK_WITHIN:
            self.ack_judged += n
            self.ack_within += n if value == "1" else 0
        elif metric in {TallyMetric.REMEDY_WITHIN, TallyMetric.CLOSE_WITHIN}:
            clock = metric.value.removesuffix("_within")
            met, judged = self.within.get(clock, (0, 0))
            self.within[clock] = (met + (n if value == "1" else 0), judged + n)
        elif metric is TallyMetric.ONE_INTERACTION:
            self.remedied += n
            self.one_interaction += n if value == "1" else 0
        elif metric is TallyMetric.OUTCOME:
            self.outcomes[value] = self.outcomes.get(value, 0) + n

    def summary(self) -> dict[str, Any]:
        closed = sum(self.outcomes.values())
        return {
            "cases": self.cases,
            "ack_median_minutes": percentile(self.ack_histogram, 0.5),
            "ack_p90_minutes": percentile(self.ack_histogram, 0.9),
            "ack_within_sla_pct": share(self.ack_within, self.ack_judged),
            "remedy_within_sla_pct": share(*self.within.get("remedy", (0, 0))),
            "close_within_sla_pct": share(*self.within.get("close", (0, 0))),
            "handoffs_per_case": round(self.handoffs / self.cases, 3) if self.cases else None,
            "one_interaction_pct": share(self.one_interaction, self.remedied),
            "outcomes": {k: share(v, closed) for k, v in sorted(self.outcomes.items())},
            "outcome_counts": dict(sorted(self.outcomes.items())),
        }


def _kept(owners: Collection[int] | None = None) -> Select[Any]:
    """The running counts the triggers keep, of ``owners``' cases when given, as rows
    (owner_id, category, metric, value, n); zero rows left by moved cases omitted."""
    # Plain table columns, not ORM attributes: a one-shot command is spared compiling an
    # ORM query, a sizeable part of its run.
    t = CaseTally.__table__.c
    # The metric as stored text, turned into its enum by a lookup: thousands of rows
    # (one per acknowledgment minute seen) each converted by the column type cost more
    # than the query.
    metric = type_coerce(t.metric, String)
    stmt = select(t.owner_id, t.category, metric, t.value, t.n).where(t.n != 0)
    return stmt if owners is None else stmt.where(t.owner_id.in_(list(owners)))


def _counted(
    since: datetime | None, until: datetime | None, owners: Collection[int] | None
) -> Select[Any]:
    """The same rows recounted from the view the triggers read (``case_tally_rows``), for
    the cases opened in [since, until) and owned by ``owners``, where given."""
    rows = _TALLY_ROWS.c
    metric = type_coerce(rows.metric, String)
    stmt = select(rows.owner_id, rows.category, metric, rows.value, func.sum(rows.n).label("n"))
    stmt = _opened_within(stmt, rows, since, until, owners)
    return stmt.group_by(rows.owner_id, rows.category, metric, rows.value)


def _opened_within(
    stmt: Select[Any],
    columns: Any,
    since: datetime | None,
    until: datetime | None,
    owners: Collection[int] | None,
) -> Select[Any]:
    """``stmt`` kept to the cases opened in [since, until) and owned by ``owners``, where
    given, by ``columns``' ``opened_at`` and ``owner_id``."""
    if since is not None:
        stmt = stmt.where(columns.opened_at >= since)
    if until is not None:
        stmt = stmt.where(columns.opened_at < until)
    if owners is not None:
        stmt = stmt.where(columns.owner_id.in_(list(owners)))
    return stmt


def stored_tallies(session: Session) -> dict[Key, int]:
    """The running counts the triggers keep (zero rows left by moved cases omitted)."""
    rows = session.execute(_kept())
    return {(owner, category, _METRICS[name], value): n for owner, category, name, value, n in rows}


_METRICS = {m.value: m for m in TallyMetric}


def counted_tallies(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    owners: Collection[int] | None = None,
) -> dict[Key, int]:
    """The same counts recounted from the cases opened in [since, until).

    They come from the view the triggers read (``case_tally_rows``), so what a case
    counts for is defined once; over all time they must equal the kept tallies.
    """
    return {
        (owner, category, _METRICS[name], value): int(n)
        for owner, category, name, value, n in session.execute(_counted(since, until, owners))
        if n
    }


def _grouped_tallies(
    session: Session,
    *,
    since: datetime | None,
    until: datetime | None,
    owners: Collection[int] | None,
) -> list[tuple[Any, ...]]:
    """The tallies of the cases opened in [since, until) summed by owner (category None)
    and by category (owner None): (owner_id, category, metric, value, n) rows.

    Over all time they are the kept ``case_tallies``; over a window, the view they are
    kept from (``case_tally_rows``), read and grouped once.
    """
    # A window is grouped by all four first (its one pass over the cases), so the two
    # sums below read a few thousand rows, not a row per case and metric.
    whole = since is None and until is None
    source = _kept(owners) if whole else _counted(since, until, owners)
    tallied = source.cte("tallied")
    c = tallied.c
    nothing = null()
    by_owner = select(c.owner_id, type_coerce(nothing, String), c[2], c.value, func.sum(c.n))
    by_category = select(type_coerce(nothing, Integer), c.category, c[2], c.value, func.sum(c.n))
    stmt = union_all(
        by_owner.group_by(c.owner_id, c[2], c.value),
        by_category.group_by(c.category, c[2], c.value),
    )
    return [(o, cat, m, v, int(n)) for o, cat, m, v, n in session.execute(stmt) if n]


def recovery_report(
    session: Session,
    *,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
    team_id: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Metrics over cases opened in [since, until), overall and by owner and category;
    with ``team_id``, only the cases its members own.

    Over all time it sums the trigger-kept tallies (a few thousand rows however many
    cases there are); a time window needs the cases themselves, in one grouped scan.
    Either is summed in the database by owner and by category, so only those sums
    come back.
    Given ``now``, it adds attainment week by week and the open cases by age.
    """
    require(actor, Action.READ)
    owners: list[int] | None = None
    if team_id is not None:
        get_team(session, team_id)
        owners = members_of(session, team_id)
    overall = _Bucket()
    by_owner: dict[int, _Bucket] = defaultdict(_Bucket)
    by_category: dict[str, _Bucket] = defaultdict(_Bucket)
    for owner_id, category, name, value, n in _grouped_tallies(
        session, since=since, until=until, owners=owners
    ):
        metric = _METRICS[name]
        if category is None:
            overall.add(metric, value, n)
            by_owner[owner_id].add(metric, value, n)
        else:
            by_category[category].add(metric, value, n)
    # An owner whose cases all moved on keeps only zero tallies; they are not listed.
    by_owner = {k: b for k, b in by_owner.items() if b.cases}
    by_category = {k: b for k, b in by_category.items() if b.cases}
    users = User.__table__.c
    names: dict[int, str] = (
        dict(
            session.execute(select(users.id, users.name).where(users.id.in_(list(by_owner)))).all()
        )
        if by_owner
        else {}
    )
    repeats = _repeats(session, since=since, until=until, owners=owners)
    report: dict[str, Any] = {
        **overall.summary(),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "team_id": team_id,
        "ack_distribution": banded(overall.ack_histogram, ACK_BANDS),
        "repeats": repeats,
        "repeat_pct": share(repeats, overall.cases),
        "by_owner": [
            {
                "owner_id": oid,
                "owner": names.get(oid),
                **bucket.summary(),
            }
            for oid, bucket in sorted(by_owner.items())
        ],
        "by_category": [
            {"category": cat, **bucket.summary()} for cat, bucket in sorted(by_category.items())
        ],
    }
    if now is not None:
        # Weeks end at midnight (UTC) after now: whole days, read from the day counts.
        end = until if until is not None else days.midnight_after(now)
        report["sla_by_week"] = _weekly(session, end=end, since=since, owners=owners)
        report["open_by_age"] = _open_by_age(session, now=now, owners=owners)
    # Over the whole workspace: survey answers have no team.
    report["recovery_paradox"] = paradox.recovery_paradox(
        session, actor=actor, since=since, until=until
    )
    return report


def _repeats(
    session: Session,
    *,
    since: datetime | None,
    until: datetime | None,
    owners: Collection[int] | None,
) -> int:
    """Cases that repeat an earlier failure of the same customer (ix_cases_repeats)."""
    c = Case.__table__.c
    stmt = select(func.count()).select_from(Case.__table__).where(c.repeat_of.is_not(None))
    return int(session.scalar(_opened_within(stmt, c, since, until, owners)) or 0)


def _weekly(
    session: Session,
    *,
    end: datetime,
    since: datetime | None,
    owners: Collection[int] | None,
) -> list[dict[str, Any]]:
    """Each clock's share within its SLA, for the cases opened in each of the last weeks
    before ``end``: whole days from the kept day counts, whatever the cases number."""
    starts = week_starts(end, since)
    if not starts:
        return []
    clocks = ("ack", "remedy", "close")
    metrics = ["cases", *(f"{name}_within" for name in clocks)]
    weeks = days.counts_between(session, [*starts, end], metrics, owners)
    rows = []
    for i, (start, counts) in enumerate(zip(starts, weeks, strict=True)):
        # Counted without categories: each key is ("", metric, value).
        row: dict[str, Any] = {
            "week_start": start.isoformat(),
            "week_end": (starts[i + 1] if i + 1 < len(starts) else end).isoformat(),
            "cases": counts.get(("", "cases", ""), 0),
        }
        for name in clocks:
            met = counts.get(("", f"{name}_within", "1"), 0)
            missed = counts.get(("", f"{name}_within", "0"), 0)
            row[f"{name}_within_sla_pct"] = share(met, met + missed)
        rows.append(row)
    return rows


def _open_by_age(
    session: Session, *, now: datetime, owners: Collection[int] | None
) -> list[dict[str, Any]]:
    """Open cases by how many days ago (UTC) they were opened: "up to 1 day" is today,
    "up to 3 days" today and the two days before, and so on."""
    end = days.midnight_after(now)
    bounds = [b for b in AGE_BANDS if b is not None]
    # The oldest band first: from the first case to the oldest bound.
    edges = [days.EPOCH, *(end - n * days.DAY for n in reversed(bounds)), end]
    counts = days.counts_between(session, edges, ["open"], owners)
    oldest_first = [sum(span.values()) for span in counts]
    return [
        {"up_to_days": bound, "cases": n}
        for bound, n in zip(AGE_BANDS, [*reversed(oldest_first[1:]), oldest_first[0]], strict=True)
    ]
