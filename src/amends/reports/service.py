"""Recovery metrics: how fast we acknowledge, how often we fix it in one go, how it ends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, column, func, select, table
from sqlalchemy.orm import Session

from amends.db import EnumText
from amends.people.models import User
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.reports.models import CaseTally
from amends.reports.rules import TallyMetric, percentile, share

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


def stored_tallies(session: Session) -> dict[Key, int]:
    """The running counts the triggers keep (zero rows left by moved cases omitted)."""
    # Plain table columns, not ORM attributes: a one-shot command is spared compiling an
    # ORM query, a sizeable part of its run.
    t = CaseTally.__table__.c
    rows = session.execute(select(t.owner_id, t.category, t.metric, t.value, t.n).where(t.n != 0))
    return {(owner, category, metric, value): n for owner, category, metric, value, n in rows}


def counted_tallies(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> dict[Key, int]:
    """The same counts recounted from the cases opened in [since, until).

    They come from the view the triggers read (``case_tally_rows``), so what a case
    counts for is defined once; over all time they must equal the kept tallies.
    """
    rows = _TALLY_ROWS.c
    stmt = select(rows.owner_id, rows.category, rows.metric, rows.value, func.sum(rows.n))
    if since is not None:
        stmt = stmt.where(rows.opened_at >= since)
    if until is not None:
        stmt = stmt.where(rows.opened_at < until)
    stmt = stmt.group_by(rows.owner_id, rows.category, rows.metric, rows.value)
    return {
        (owner, category, metric, value): int(n)
        for owner, category, metric, value, n in session.execute(stmt)
        if n
    }


def recovery_report(
    session: Session,
    *,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Metrics over cases opened in [since, until), overall and by owner and category.

    Over all time it sums the trigger-kept tallies (a few thousand rows however many
    cases there are); a time window needs the cases themselves, in one grouped scan.
    """
    require(actor, Action.READ)
    if since is None and until is None:
        tallies = stored_tallies(session)
    else:
        tallies = counted_tallies(session, since=since, until=until)
    overall = _Bucket()
    by_owner: dict[int, _Bucket] = defaultdict(_Bucket)
    by_category: dict[str, _Bucket] = defaultdict(_Bucket)
    for (owner_id, category, metric, value), n in tallies.items():
        for bucket in (overall, by_owner[owner_id], by_category[category]):
            bucket.add(metric, value, n)
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
    return {
        **overall.summary(),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
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
