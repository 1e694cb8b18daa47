"""The background worker: runs each registered periodic job once per slot of its schedule.

Domains register jobs with ``@job`` in their ``jobs.py``; ``JOB_MODULES`` lists the
modules to import so registration happens explicitly, not as an import side effect
of something unrelated.

Any number of processes may run a Worker against one database (``amends worker`` on
several machines, the thread inside each ``amends serve``): the schedule lives in the
``job_runs`` table (see :mod:`amends.schedule`), so each slot of each job runs once, and
a run whose process died is taken over when its lease expires.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from amends.clock import Clock
from amends.config import Settings
from amends.db import transaction
from amends.schedule import Claim, claim_slot, finish, prune, renew, take_over_stalled

log = logging.getLogger("amends.worker")

JOB_MODULES = (
    "amends.people.jobs",
    "amends.cases.jobs",
    "amends.patterns.jobs",
    "amends.messages.jobs",
    "amends.recovery.jobs",
    "amends.intake.jobs",
    "amends.privacy.jobs",
    "amends.surveys.jobs",
    "amends.winback.jobs",
)


@dataclass
class JobContext:
    settings: Settings
    sessions: sessionmaker[Session]
    clock: Clock

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.sessions) as session:
            yield session


JobFn = Callable[[JobContext], dict[str, Any]]


# Long enough for a slow SMTP relay or IMAP server to finish a batch (the outbox's own
# lease on a row is as long); a job that may run longer says so with ``lease_seconds``.
DEFAULT_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobFn
    lease: timedelta = DEFAULT_LEASE


_REGISTRY: dict[str, Job] = {}


def job(
    name: str, *, every_seconds: int, lease_seconds: int | None = None
) -> Callable[[JobFn], JobFn]:
    """Register ``fn`` to run every ``every_seconds``, once across all processes."""
    lease = DEFAULT_LEASE if lease_seconds is None else timedelta(seconds=lease_seconds)

    def register(fn: JobFn) -> JobFn:
        _REGISTRY[name] = Job(name, timedelta(seconds=every_seconds), fn, lease)
        return fn

    return register


# Long enough to look back at a week of runs when something went wrong.
KEEP_RUNS = timedelta(days=7)


@job("prune-job-runs", every_seconds=3600)
def prune_job_runs(ctx: JobContext) -> dict[str, int]:
    with ctx.transaction() as session:
        return {"pruned": prune(session, before=ctx.clock.now() - KEEP_RUNS)}


def registered_jobs() -> dict[str, Job]:
    for module in JOB_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def worker_name() -> str:
    """Who claimed a run, as a person reading ``job_runs`` needs it: host and process."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Worker:
    """Runs due jobs; ``tick`` is one pass, so tests drive it with the injected clock."""

    ctx: JobContext
    jobs: dict[str, Job] = field(default_factory=registered_jobs)
    name: str = field(default_factory=worker_name)

    def claim(self, item: Job) -> list[Claim]:
        """Claim what is due of ``item`` for this process: stalled runs, then its slot."""
        now = self.ctx.clock.now()
        # A short transaction of its own: the claim is committed before the job runs,
        # so other processes see it at once and never wait behind a long job.
        with self.ctx.transaction() as session:
            claims = take_over_stalled(
                session, job=item.name, lease=item.lease, worker=self.name, now=now
            )
            fresh = claim_slot(
                session,
                job=item.name,
                every=item.every,
                lease=item.lease,
                worker=self.name,
                now=now,
            )
        return [*claims, fresh] if fresh is not None else claims

    def tick(self) -> dict[str, dict[str, Any]]:
        results: dict[str, dict[str, Any]] = {}
        for item in self.jobs.values():
            # Claimed one job at a time, just before running it: a process that dies
            # or stalls in one job holds no claim on the jobs after it.
            for claim in self.claim(item):
                results[item.name] = self._run(item, claim)
        return results

    def _run(self, item: Job, claim: Claim) -> dict[str, Any]:
        ok = True
        try:
            with self._leased(item, claim):
                result = item.run(self.ctx)
        except Exception:
            # One failing job must not stop the others; its next slot runs it again.
            log.exception("job %s failed", item.name)
            ok, result = False, {"error": True}
        with self.ctx.transaction() as session:
            if not finish(session, claim, ok=ok, result=result, now=self.ctx.clock.now()):
                log.warning("job %s: run %s was taken over meanwhile", item.name, claim.run_id)
        return result

    @contextmanager
    def _leased(self, item: Job, claim: Claim) -> Iterator[None]:
        """Renew the run's lease while the job runs, so only a dead process loses it.

        A live job slower than its lease (a first IMAP sync of a large mailbox) would
        otherwise be taken over and run twice at once.
        """
        stop = threading.Event()
        # Real seconds: the lease is renewed three times in its span, at least every minute.
        interval = min(item.lease.total_seconds() / 3, 60.0)

        def beat() -> None:
            while not stop.wait(interval):
                try:
                    with self.ctx.transaction() as session:
                        now = self.ctx.clock.now()
                        if not renew(session, claim, lease=item.lease, now=now):
                            return
                except Exception:
                    log.exception(
                        "job %s: could not renew the lease of run %s", item.name, claim.run_id
                    )

        beater = threading.Thread(target=beat, name=f"lease-{item.name}", daemon=True)
        beater.start()
        try:
            yield
        finally:
            stop.set()
            beater.join()

    def run_forever(self, stop: threading.Event, poll_seconds: float | None = None) -> None:
        poll = self.ctx.settings.worker_poll_seconds if poll_seconds is None else poll_seconds
        log.info("worker started with jobs: %s (as %s)", ", ".join(sorted(self.jobs)), self.name)
        while not stop.is_set():
            try:
                for name, result in self.tick().items():
                    log.info("job %s: %s", name, result)
            except Exception:
                # A lost database connection must not end the worker; the next poll retries.
                log.exception("worker %s: tick failed", self.name)
            stop.wait(poll)
