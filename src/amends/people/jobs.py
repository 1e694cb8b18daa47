"""Periodic housekeeping for people: expired browser sessions."""

from __future__ import annotations

from amends.people import service
from amends.worker import JobContext, job


@job("purge-expired-sessions", every_seconds=3600)
def purge_sessions(ctx: JobContext) -> dict[str, int]:
    with ctx.transaction() as session:
        return {"purged": service.purge_expired_sessions(session, now=ctx.clock.now())}
