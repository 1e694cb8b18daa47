"""The survey sweep: each closed case gets its satisfaction survey, once."""

from __future__ import annotations

from typing import Any

from amends.people.rules import SYSTEM
from amends.playbook import policy as playbooks
from amends.surveys import service
from amends.worker import JobContext, job


@job("survey-sweep", every_seconds=600)
def send_surveys(ctx: JobContext) -> dict[str, Any]:
    book = playbooks.load(ctx.settings.home, workspace_timezone=ctx.settings.timezone)
    with ctx.transaction() as session:
        return service.send_due(
            session,
            actor=SYSTEM,
            now=ctx.clock.now(),
            playbook=book,
            mailing=service.mailing_for(ctx.settings),
        )
