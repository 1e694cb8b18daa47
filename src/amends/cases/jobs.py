"""Periodic sweeps of the cases domain."""

from __future__ import annotations

from amends.cases import clocks, days
from amends.worker import JobContext, job


@job("sla-escalation", every_seconds=60)
def escalate(ctx: JobContext) -> dict[str, int]:
    with ctx.transaction() as session:
        return clocks.escalate_breaches(session, now=ctx.clock.now())


@job("fold-day-counts", every_seconds=60)
def fold_day_counts(ctx: JobContext) -> dict[str, int]:
    with ctx.transaction() as session:
        return {"days": days.fold(session)}
