"""Judging queued cases for repeats and patterns, whatever process queued them."""

from __future__ import annotations

from typing import Any

from amends.patterns import indexing, judging
from amends.playbook import policy as playbooks
from amends.worker import JobContext, job

# A run stops after this many cases and leaves the rest to the next slot, so its lease
# is never at risk and other jobs get their turn.
CASES_PER_RUN = 5000


@job("judge-cases", every_seconds=10)
def judge_cases(ctx: JobContext) -> dict[str, Any]:
    book = playbooks.load(ctx.settings.home, workspace_timezone=ctx.settings.timezone)
    judged = judging.drain_judging(
        ctx.transaction, now=ctx.clock.now, playbook=book, max_cases=CASES_PER_RUN
    )
    return {"judged": judged}


# Each step of a run stops after this many cases; the rest waits for the next slot.
SKETCHES_PER_RUN = 20_000


@job("index-similar", every_seconds=10, lease_seconds=1800)
def index_similar(ctx: JobContext) -> dict[str, Any]:
    return indexing.keep_up(ctx.transaction, now=ctx.clock.now, max_cases=SKETCHES_PER_RUN)
