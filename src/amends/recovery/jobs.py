"""The ledger's periodic sweep: every missed promise becomes a proactive case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amends import rehearsal
from amends.commitments.models import Breach
from amends.playbook import policy as playbooks
from amends.recovery import sweep as sweeps
from amends.worker import JobContext, job


@job("ledger-sweep", every_seconds=60)
def sweep(ctx: JobContext) -> dict[str, Any]:
    book = playbooks.load(ctx.settings.home, workspace_timezone=ctx.settings.timezone)
    transaction: Callable[[], AbstractContextManager[Session]] = ctx.transaction
    if rehearsal.armed(ctx.settings, rehearsal.SWEEP_BEFORE_COMMIT):
        transaction = _holding_before_commit(ctx)
    return sweeps.sweep_in_chunks(transaction, now=ctx.clock.now(), playbook=book).as_dict()


def _holding_before_commit(ctx: JobContext) -> Callable[[], AbstractContextManager[Session]]:
    """Chunk transactions that stop, for a crash rehearsal, before committing a chunk
    that recorded breaches (and opened their cases)."""

    @contextmanager
    def chunk() -> Iterator[Session]:
        with ctx.transaction() as session:
            newest = select(func.max(Breach.id))
            before = session.scalar(newest) or 0
            yield session
            if (session.scalar(newest) or 0) > before:
                rehearsal.hold(ctx.settings, rehearsal.SWEEP_BEFORE_COMMIT)

    return chunk
