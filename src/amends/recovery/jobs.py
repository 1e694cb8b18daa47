"""The ledger's periodic sweep: every missed promise becomes a proactive case."""

from __future__ import annotations

from typing import Any

from amends import rehearsal
from amends.playbook import policy as playbooks
from amends.recovery import sweep as sweeps
from amends.worker import JobContext, job


@job("ledger-sweep", every_seconds=60)
def sweep(ctx: JobContext) -> dict[str, Any]:
    book = playbooks.load(ctx.settings.home, workspace_timezone=ctx.settings.timezone)
    with ctx.transaction() as session:
        result = sweeps.sweep(session, now=ctx.clock.now(), playbook=book).as_dict()
        if result["breaches_opened"]:
            rehearsal.hold(ctx.settings, rehearsal.SWEEP_BEFORE_COMMIT)
        return result
