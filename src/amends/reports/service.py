"""Recovery metrics: how fast we acknowledge, how often we fix it in one go, how it ends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.people.models import User
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.reports.rules import percentile, share


@dataclass
class _Bucket:
    cases: int = 0
    handoffs: int = 0
    ack_histogram: dict[int, int] = field(default_factory=dict)
    ack_within: int = 0
    ack_judged: int = 0
    one_interaction: int = 0
    remedied: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        closed = sum(self.outcomes.values())
        return {
            "cases": self.cases,
            "ack_median_minutes": percentile(self.ack_histogram, 0.5),
            "ack_p90_minutes": percentile(self.ack_histogram, 0.9),
            "ack_within_sla_pct": share(self.ack_within, self.ack_judged),
            "handoffs_per_case": round(self.handoffs / self.cases, 3) if self.cases else None,
            "one_interaction_pct": share(self.one_interaction, self.remedied),
            "outcomes": {k: share(v, closed) for k, v in sorted(self.outcomes.items())},
            "outcome_counts": dict(sorted(self.outcomes.items())),
        }


def recovery_report(
    session: Session,
    *,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Metrics over cases opened in [since, until), overall and by owner and category.

    One grouped scan feeds everything; acknowledgment times are grouped by whole minute
    so medians and p90s come from a small histogram, not from a million rows.
    """
    require(actor, Action.READ)
    # Grouped in the order of ix_cases_report, which covers every column used here.
    keys = (
        Case.owner_id,
        Case.category,
        Case.outcome,
        Case.ack_minutes,
        Case.one_interaction,
        Case.ack_within,
    )
    stmt = select(*keys, func.count().label("n"), func.sum(Case.handoffs)).group_by(*keys)
    if since is not None:
        stmt = stmt.where(Case.opened_at >= since)
    if until is not None:
        stmt = stmt.where(Case.opened_at < until)

    overall = _Bucket()
    by_owner: dict[int, _Bucket] = defaultdict(_Bucket)
    by_category: dict[str, _Bucket] = defaultdict(_Bucket)
    for owner_id, category, outcome, ack_minutes, one, ok, n, handoffs in session.execute(stmt):
        for bucket in (overall, by_owner[owner_id], by_category[category]):
            bucket.cases += n
            bucket.handoffs += int(handoffs or 0)
            if ack_minutes is not None:
                bucket.ack_histogram[ack_minutes] = bucket.ack_histogram.get(ack_minutes, 0) + n
            if ok is not None:
                bucket.ack_judged += n
                bucket.ack_within += n * int(ok)
            if one is not None:
                bucket.remedied += n
                bucket.one_interaction += n if one else 0
            if outcome is not None:
                bucket.outcomes[outcome] = bucket.outcomes.get(outcome, 0) + n
    names = (
        {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(by_owner))))}
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
                "owner": names[oid].name if oid in names else None,
                **bucket.summary(),
            }
            for oid, bucket in sorted(by_owner.items())
        ],
        "by_category": [
            {"category": cat, **bucket.summary()} for cat, bucket in sorted(by_category.items())
        ],
    }
