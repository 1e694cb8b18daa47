"""Periodic work of the messages domain: draining the outbox."""

from __future__ import annotations

from amends.messages import outbox
from amends.worker import JobContext, job


@job("outbox", every_seconds=10)
def send_outbox(ctx: JobContext) -> dict[str, int]:
    return outbox.drain(ctx.sessions, ctx.settings, now=ctx.clock.now())
