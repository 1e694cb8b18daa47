"""The schedule of periodic jobs, kept in the database so every process shares it.

Each job's time is cut into slots of its period on a fixed grid (a 60-second job has a
slot per minute of the clock). A run is one row per (job, slot); the unique key on that
pair is the claim: of all the processes that notice a slot is due, the one whose INSERT
lands runs it, on SQLite and PostgreSQL alike. A run carries a lease: when its process
dies, another one takes the run over by compare-and-set once the lease has expired,
up to ``MAX_ATTEMPTS`` times. All times come from the injected clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from amends.db import Base

MAX_ATTEMPTS = 3

RUNNING = "running"
DONE = "done"
FAILED = "failed"
ABANDONED = "abandoned"


class JobRun(Base):
    """One run of a periodic job for one slot of its schedule."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),
        # Taking over stalled runs reads the running ones whose lease has passed.
        Index("ix_job_runs_status_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    slot: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    worker: Mapped[str] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime]
    lease_until: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)


def slot_of(now: datetime, every: timedelta) -> datetime:
    """The start of the slot ``now`` falls in, on a grid counted from the Unix epoch."""
    period = int(every.total_seconds())
    if period <= 0:
        raise ValueError("a job's period must be at least one second")
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % period, UTC)


@dataclass(frozen=True)
class Claim:
    """A run this process won: finish it with the same id and attempt number."""

    run_id: int
    job: str
    slot: datetime
    attempt: int


def claim_slot(
    session: Session, *, job: str, every: timedelta, lease: timedelta, worker: str, now: datetime
) -> Claim | None:
    """Claim the current slot of ``job``; None when it is already claimed by anyone."""
    slot = slot_of(now, every)
    if session.scalar(select(JobRun.id).where(JobRun.job == job, JobRun.slot == slot)):
        return None  # the usual case on every tick: one indexed lookup, no write
    values = {
        "job": job,
        "slot": slot,
        "status": RUNNING,
        "worker": worker,
        "attempts": 1,
        "started_at": now,
        "lease_until": now + lease,
        "result": {},
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # ON CONFLICT DO NOTHING: a process that loses the race gets no row back and no error
    # (a plain INSERT would abort the whole PostgreSQL transaction on the duplicate).
    run_id = session.scalar(
        insert(JobRun)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["job", "slot"])
        .returning(JobRun.id)
    )
    return Claim(run_id, job, slot, 1) if run_id is not None else None


def take_over_stalled(
    session: Session, *, job: str, lease: timedelta, worker: str, now: datetime
) -> list[Claim]:
    """Take over the runs of ``job`` whose process stopped renewing its lease (it died).

    Each takeover is a compare-and-set on the attempt number, so two processes finding
    the same stalled run cannot both take it. A run out of attempts is abandoned.
    """
    stalled = session.execute(
        select(JobRun.id, JobRun.slot, JobRun.attempts)
        .where(JobRun.job == job, JobRun.status == RUNNING, JobRun.lease_until < now)
        .order_by(JobRun.slot)
    ).all()
    claims: list[Claim] = []
    for run_id, slot, attempts in stalled:
        spent = attempts >= MAX_ATTEMPTS
        won = session.execute(
            update(JobRun)
            .where(JobRun.id == run_id, JobRun.status == RUNNING, JobRun.attempts == attempts)
            .values(
                {"status": ABANDONED, "finished_at": now}
                if spent
                else {
                    "worker": worker,
                    "attempts": attempts + 1,
                    "started_at": now,
                    "lease_until": now + lease,
                }
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(won, "rowcount", 0) == 1 and not spent:
            claims.append(Claim(run_id, job, slot, attempts + 1))
    return claims


def renew(session: Session, claim: Claim, *, lease: timedelta, now: datetime) -> bool:
    """Extend a live run's lease; False when the run was taken over or has ended."""
    done = session.execute(
        update(JobRun)
        .where(
            JobRun.id == claim.run_id,
            JobRun.status == RUNNING,
            JobRun.attempts == claim.attempt,
        )
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return getattr(done, "rowcount", 0) == 1


def finish(
    session: Session, claim: Claim, *, ok: bool, result: dict[str, Any], now: datetime
) -> bool:
    """Record how a run ended; False when another process took the run over meanwhile."""
    # Results are counts and ids; whatever else a job returns is kept as its text.
    stored = json.loads(json.dumps(result, default=str))
    done = session.execute(
        update(JobRun)
        .where(
            JobRun.id == claim.run_id,
            JobRun.status == RUNNING,
            JobRun.attempts == claim.attempt,
        )
        .values(status=DONE if ok else FAILED, finished_at=now, result=stored)
        .execution_options(synchronize_session=False)
    )
    return getattr(done, "rowcount", 0) == 1


def prune(session: Session, *, before: datetime) -> int:
    """Delete finished runs older than ``before``; the claim only ever reads current slots.

    The outbox alone adds a run every ten seconds, so without this the table would grow
    by thousands of rows a day.
    """
    result = session.execute(
        delete(JobRun)
        .where(JobRun.status != RUNNING, JobRun.finished_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
