"""Retention: closed cases lose their personal content once ``AMENDS_RETENTION_DAYS`` pass."""

from __future__ import annotations

from typing import Any

from amends.people.rules import SYSTEM
from amends.privacy import service
from amends.privacy.erase import Erasure
from amends.worker import JobContext, job


@job("privacy-retention", every_seconds=3600)
def erase_expired(ctx: JobContext) -> dict[str, Any]:
    days = ctx.settings.retention_days
    if not days:
        return {"skipped": "AMENDS_RETENTION_DAYS is not set"}
    total = Erasure()
    while True:
        # One transaction per batch: a stop half way keeps what was done, and the next
        # run continues with the cases still not erased.
        with ctx.transaction() as session:
            batch = service.erase_expired_cases(
                session, actor=SYSTEM, retention_days=days, now=ctx.clock.now()
            )
        total.cases += batch.cases
        total.messages += batch.messages
        total.attachments += batch.attachments
        total.raw_mails += batch.raw_mails
        if not batch.cases:
            break
    # Also the files of an earlier run that stopped between its commit and this step.
    with ctx.transaction() as session:
        removed = service.forget_files(
            session, home=ctx.settings.home, erasure=service.leftover_erasure(session)
        )
    if total.cases:
        service.purge_indexes(ctx.sessions.kw["bind"])
    return total.counts() | {"files_removed": removed}
