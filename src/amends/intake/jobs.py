"""Periodic intake: poll the IMAP mailbox when one is configured."""

from __future__ import annotations

from typing import Any

from amends.db import transaction
from amends.intake.imap import mailbox_of, poll
from amends.intake.pipeline import IntakeContext
from amends.messages import channels
from amends.playbook import policy as playbooks
from amends.worker import JobContext, job


@job("imap-poll", every_seconds=60)
def poll_imap(ctx: JobContext) -> dict[str, Any]:
    # The mailbox a manager saved, read on every run: a change needs no restart.
    with transaction(ctx.sessions) as session:
        s = channels.effective(session, ctx.settings)
    box = mailbox_of(s)
    if box is None:
        return {"skipped": "no IMAP mailbox is set up"}
    book = playbooks.load(s.home, workspace_timezone=s.timezone)
    results = poll(IntakeContext(s, ctx.sessions, ctx.clock, book), box)
    counts: dict[str, Any] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts
