from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FileClock, FrozenClock, SystemClock, clock_for
from amends.config import Settings
from amends.db import transaction
from amends.people import service as people
from amends.people.models import WebSession
from amends.people.rules import Role
from amends.schedule import MAX_ATTEMPTS, JobRun, finish, slot_of
from amends.worker import KEEP_RUNS, Job, JobContext, Worker
from tests.conftest import START


def test_worker_runs_due_jobs_on_schedule(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    with transaction(sessions) as s:
        people.create_user(
            s,
            email="a@example.com",
            name="A",
            role=Role.AGENT,
            now=clock.now(),
            password="long enough pw",
        )
        people.sign_in(s, email="a@example.com", password="long enough pw", now=clock.now())
    worker = Worker(JobContext(settings, sessions, clock))
    assert worker.tick()["purge-expired-sessions"] == {"purged": 0}
    assert worker.tick() == {}  # not due again within the hour
    clock.advance(people.SESSION_LIFETIME + timedelta(hours=1))
    assert worker.tick()["purge-expired-sessions"] == {"purged": 1}
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0


def test_runs_older_than_a_week_are_pruned(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    worker = Worker(JobContext(settings, sessions, clock))
    worker.tick()
    first = run_counts(sessions)
    clock.advance(timedelta(days=3))
    worker.tick()
    assert run_counts(sessions) == {k: 2 * v for k, v in first.items()}
    clock.advance(KEEP_RUNS)
    assert worker.tick()["prune-job-runs"] == {"pruned": sum(first.values())}


def counting_jobs(calls: list[tuple[str, str]], *names: str) -> dict[str, Job]:
    """Jobs that record (job, worker) for every run, so a test sees who ran what."""

    def make(name: str) -> Job:
        def run(ctx: JobContext) -> dict[str, Any]:
            calls.append((name, threading.current_thread().name))
            return {"at": ctx.clock.now().isoformat()}

        return Job(name, timedelta(minutes=1), run, lease=timedelta(minutes=5))

    return {name: make(name) for name in names}


def run_counts(sessions: sessionmaker[Session]) -> dict[tuple[str, str], int]:
    with transaction(sessions) as s:
        rows = s.execute(
            select(JobRun.job, JobRun.status, func.count()).group_by(JobRun.job, JobRun.status)
        ).all()
    return {(job, status): int(n) for job, status, n in rows}


def test_several_workers_run_each_slot_once(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    calls: list[tuple[str, str]] = []
    workers = [
        Worker(JobContext(settings, sessions, clock), counting_jobs(calls, "a", "b"), f"w{i}")
        for i in range(4)
    ]
    slots = 6
    barrier = threading.Barrier(len(workers))

    def work(w: Worker) -> None:
        for _ in range(slots):
            # Every worker ticks each slot several times, all starting together.
            barrier.wait()
            for _ in range(3):
                w.tick()
            barrier.wait()
            if w.name == "w0":
                clock.advance(timedelta(minutes=1))

    threads = [threading.Thread(target=work, args=(w,), name=w.name) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(name for name, _ in calls) == ["a"] * slots + ["b"] * slots
    assert run_counts(sessions) == {("a", "done"): slots, ("b", "done"): slots}
    with transaction(sessions) as s:
        slots_run = s.scalars(select(JobRun.slot).where(JobRun.job == "a").order_by(JobRun.slot))
        assert list(slots_run) == [START + timedelta(minutes=i) for i in range(slots)]


def test_a_run_whose_worker_died_is_taken_over_after_its_lease(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    calls: list[tuple[str, str]] = []
    ctx = JobContext(settings, sessions, clock)
    dead = Worker(ctx, counting_jobs(calls, "a"), "dead")
    alive = Worker(ctx, counting_jobs(calls, "a"), "alive")
    [claim] = dead.claim(dead.jobs["a"])  # claimed, then the process died before running it
    clock.advance(timedelta(seconds=30))
    assert alive.tick() == {}  # same slot, lease still running: nothing to do
    clock.advance(timedelta(minutes=5))
    assert set(alive.tick()) == {"a"}
    # The takeover ran the stalled slot and the new one.
    assert run_counts(sessions) == {("a", "done"): 2}
    with transaction(sessions) as s:
        taken = s.get_one(JobRun, claim.run_id)
        assert (taken.worker, taken.attempts, taken.status) == ("alive", 2, "done")
        # The dead worker, were it to come back, cannot overwrite the new owner's record.
        assert not finish(s, claim, ok=True, result={}, now=clock.now())


def test_a_run_that_keeps_killing_its_worker_is_abandoned(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    ctx = JobContext(settings, sessions, clock)
    lease = timedelta(minutes=5)
    daily = {"a": Job("a", timedelta(days=1), lambda _ctx: {}, lease=lease)}
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = Worker(ctx, daily, f"doomed-{attempt}").claim(daily["a"])  # and dies
        assert [c.attempt for c in claimed] == [attempt]
        clock.advance(lease + timedelta(seconds=1))
    assert Worker(ctx, daily, "last").claim(daily["a"]) == []
    with transaction(sessions) as s:
        run = s.scalars(select(JobRun)).one()
        assert (run.status, run.attempts, run.worker) == ("abandoned", MAX_ATTEMPTS, "doomed-3")


def test_slots_lie_on_a_grid_from_the_epoch() -> None:
    every = timedelta(hours=1)
    assert slot_of(datetime(2026, 5, 4, 9, 59, 59, tzinfo=UTC), every) == datetime(
        2026, 5, 4, 9, tzinfo=UTC
    )
    assert slot_of(datetime(2026, 5, 4, 10, tzinfo=UTC), every) == datetime(
        2026, 5, 4, 10, tzinfo=UTC
    )


def test_processes_sharing_a_clock_file_share_the_time(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    mover, reader = FileClock(path), FileClock(path)
    mover.set(START)
    mover.advance(timedelta(hours=3))
    assert reader.now() == START + timedelta(hours=3)
    path.write_text("2026-05-04T09:00:00")
    with pytest.raises(ValueError, match="timezone-aware"):
        reader.now()
    assert isinstance(clock_for(None), SystemClock)
    assert isinstance(clock_for(path), FileClock)


def test_a_live_run_keeps_its_lease_past_its_span(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    ctx = JobContext(settings, sessions, clock)
    renewed = threading.Event()
    lease = timedelta(seconds=3)  # renewed every real second

    def slow(ctx: JobContext) -> dict[str, Any]:
        clock.advance(timedelta(seconds=10))  # the job outlives its lease ...
        # ... and while it works, its lease is renewed from the new time.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not renewed.is_set():
            with transaction(sessions) as s:
                run = s.scalars(select(JobRun)).one()
                if run.lease_until > clock.now():
                    renewed.set()
            time.sleep(0.05)  # waiting for the worker's own thread, not for test time
        # Another process looking now finds nothing stalled to take over.
        assert Worker(ctx, rival, "rival").claim(rival["slow"]) == []
        return {}

    rival = {"slow": Job("slow", timedelta(days=1), slow, lease=lease)}
    Worker(ctx, rival, "owner").tick()
    assert renewed.is_set()
    assert run_counts(sessions) == {("slow", "done"): 1}
