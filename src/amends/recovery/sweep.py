"""The ledger sweep: promises judged in the commitments domain, every fresh miss turned
into a proactive case here (service layer: flushes only; ``sweep_in_chunks`` is given
the boundary's transactions and commits per chunk)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from amends.commitments import bulk, ledger
from amends.playbook.policy import Playbook
from amends.recovery import breaches
from amends.winback import watch


@dataclass
class SweepResult:
    breaches_opened: int = 0
    cases_opened: list[int] = field(default_factory=list)
    cases_joined: list[int] = field(default_factory=list)
    commitments_checked: int = 0
    # Transactions the sweep committed, and how long the longest one held the database.
    chunks: int = 0
    longest_chunk_seconds: float = 0.0

    def add(self, part: SweepResult, *, seconds: float) -> None:
        self.breaches_opened += part.breaches_opened
        self.cases_opened.extend(part.cases_opened)
        self.cases_joined.extend(part.cases_joined)
        self.commitments_checked += part.commitments_checked
        self.chunks += 1
        self.longest_chunk_seconds = max(self.longest_chunk_seconds, seconds)

    def as_dict(self) -> dict[str, Any]:
        return {
            "breaches_opened": self.breaches_opened,
            "cases_opened": self.cases_opened,
            "cases_joined": self.cases_joined,
            "commitments_checked": self.commitments_checked,
            "chunks": self.chunks,
            "longest_chunk_seconds": round(self.longest_chunk_seconds, 3),
        }


# Due commitments judged per transaction. A cold sweep judges tens of thousands a
# second, so a chunk holds SQLite's write lock for about a second at most: a web
# request waiting for it never reaches busy_timeout. Smaller chunks cost more than
# they save: each commit rewrites the sweep index's pages, scattered across it (at
# 200,000 commitments, chunks of 5,000 took 1.5 times as long in all as 20,000).
SWEEP_CHUNK = 20_000


def sweep_in_chunks(
    transaction: Callable[[], AbstractContextManager[Session]],
    *,
    now: datetime,
    playbook: Playbook,
    size: int = SWEEP_CHUNK,
) -> SweepResult:
    """The sweep as a run of short transactions, one per window of due commitments.

    ``transaction`` is the boundary's unit of work (it commits each chunk). Every chunk
    claims, records and opens cases for its own commitments together, so a sweep that
    dies half way leaves whole chunks done and the rest due: a rerun finishes it and
    opens each breach's case once.
    """
    with transaction() as session:
        scan = bulk.scan_in_rowid_order(session, now=now)
        windows = bulk.windows(session, now=now, size=size, scan=scan)
    total = SweepResult()
    for window in windows:
        started = time.perf_counter()
        with transaction() as session:
            part = sweep(session, now=now, playbook=playbook, window=window)
        total.add(part, seconds=time.perf_counter() - started)
    if total.commitments_checked >= bulk.RESTATE_AFTER:
        with transaction() as session:
            bulk.restate(session, judged=total.commitments_checked)
    return total


def sweep(
    session: Session, *, now: datetime, playbook: Playbook, window: bulk.Window | None = None
) -> SweepResult:
    """Judge every occurrence whose deadline passed since the last sweep (in ``window``,
    else all of them, in the caller's one transaction), and open or join a case for
    each miss; only the sweeper that recorded a miss acts on it."""
    judged = ledger.judge_due(session, now=now, window=window)
    opened, joined = breaches.record(session, judged.missed, now=now, playbook=playbook)
    # A miss while the customer is watched after a recovery is a critical repeat.
    watch.missed(session, judged.missed, now=now, playbook=playbook)
    return SweepResult(len(judged.missed), opened, joined, judged.commitments_checked)
