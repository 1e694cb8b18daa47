"""The win-back sequences' due follow-ups and the watch periods' reminders."""

from __future__ import annotations

from typing import Any

from amends.playbook import policy as playbooks
from amends.winback import service, watch
from amends.worker import JobContext, job


@job("winback-follow-ups", every_seconds=300)
def follow_ups(ctx: JobContext) -> dict[str, Any]:
    book = playbooks.load(ctx.settings.home, workspace_timezone=ctx.settings.timezone)
    sender = service.Sender(
        business=ctx.settings.workspace_name,
        base_url=ctx.settings.base_url,
        secret=ctx.settings.secret(),
    )
    with ctx.transaction() as session:
        sent = service.run_due(session, now=ctx.clock.now(), playbook=book, sender=sender)
    with ctx.transaction() as session:
        watched = watch.remind(session, now=ctx.clock.now(), playbook=book)
    return {**sent, **watched}
