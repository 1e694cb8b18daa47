"""The background worker: runs each registered periodic job on its schedule.

Domains register jobs with ``@job`` in their ``jobs.py``; ``JOB_MODULES`` lists the
modules to import so registration happens explicitly, not as an import side effect
of something unrelated.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from amends.clock import Clock
from amends.config import Settings
from amends.db import transaction

log = logging.getLogger("amends.worker")

JOB_MODULES = (
    "amends.people.jobs",
    "amends.cases.jobs",
    "amends.messages.jobs",
    "amends.recovery.jobs",
    "amends.intake.jobs",
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


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobFn


_REGISTRY: dict[str, Job] = {}


def job(name: str, *, every_seconds: int) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        _REGISTRY[name] = Job(name, timedelta(seconds=every_seconds), fn)
        return fn

    return register


def registered_jobs() -> dict[str, Job]:
    for module in JOB_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


@dataclass
class Worker:
    """Runs due jobs; ``tick`` is one pass, so tests drive it with the injected clock."""

    ctx: JobContext
    jobs: dict[str, Job] = field(default_factory=registered_jobs)
    last_run: dict[str, datetime] = field(default_factory=dict)

    def due(self, now: datetime) -> list[Job]:
        return [
            j
            for j in self.jobs.values()
            if (last := self.last_run.get(j.name)) is None or now - last >= j.every
        ]

    def tick(self) -> dict[str, dict[str, Any]]:
        results: dict[str, dict[str, Any]] = {}
        for item in self.due(self.ctx.clock.now()):
            self.last_run[item.name] = self.ctx.clock.now()
            try:
                results[item.name] = item.run(self.ctx)
            except Exception:
                # One failing job must not stop the others; the next tick retries it.
                log.exception("job %s failed", item.name)
                results[item.name] = {"error": True}
        return results

    def run_forever(self, stop: threading.Event, poll_seconds: float = 5.0) -> None:
        log.info("worker started with jobs: %s", ", ".join(sorted(self.jobs)))
        while not stop.is_set():
            for name, result in self.tick().items():
                log.info("job %s: %s", name, result)
            stop.wait(poll_seconds)
