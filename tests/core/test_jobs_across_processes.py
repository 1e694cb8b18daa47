"""A day of jobs on one PostgreSQL database, run by two `amends worker` and two
`amends serve` processes sharing a clock file, with one worker killed mid-sweep and
another mid-send: every slot of every job runs once, every missed promise opens one
case, every reply reaches the SMTP server once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends import rehearsal
from amends.cases.models import Case
from amends.cases.rules import Origin
from amends.clock import FileClock, FrozenClock
from amends.commitments import service as commitments
from amends.commitments.models import Breach, Commitment
from amends.commitments.rules import CommitmentKind
from amends.customers import service as customers
from amends.db import transaction
from amends.messages.models import OutboxItem
from amends.people.rules import OPERATOR
from amends.schedule import DONE, JobRun, slot_of
from amends.worker import registered_jobs
from tests.conftest import AMENDS, START, Cast, free_port
from tests.messages.conftest import Inbox
from tests.messages.helpers import make_replies

pytestmark = pytest.mark.slow

STEP = timedelta(minutes=30)
STEPS = 48  # a day
SWEEP_KILL_STEP = 3  # the first promise is missed in this step
SEND_KILL_STEP = 6
PROMISES = 6  # one missed every four hours
# Step -> replies queued after it. Of the three queued before the send kill, the dead
# worker hands one to SMTP; the other two must still go out, once.
REPLIES_AT = {SEND_KILL_STEP - 1: 3, 10: 2, 30: 3}
WAIT = 90.0  # real seconds for real processes on a busy machine, never test time


def until(ready: Callable[[], bool], what: str) -> None:
    """Wait for other processes to get somewhere, polling; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Fleet:
    """The processes under test, each logging to its own file."""

    env: dict[str, str]
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, args: list[str], **extra: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen(
                [AMENDS, *args], env={**self.env, **extra}, stdout=log, stderr=subprocess.STDOUT
            )
        self.procs[name] = proc
        return proc

    def serve(self, name: str) -> None:
        port = free_port()
        proc = self.start(name, ["serve", "--port", str(port)])

        def up() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"{name} exited:\n{self.output(name)}")
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success
            except httpx.TransportError:
                return False

        until(up, f"{name} to answer on port {port}")

    def signal(self, names: list[str], sig: signal.Signals) -> None:
        for name in names:
            self.procs[name].send_signal(sig)

    def output(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def make_promises(sessions: sessionmaker[Session], cast: Cast) -> list[int]:
    """One delivery promise per customer, due 1h10 into the day and every 4 hours after."""
    ids = []
    with transaction(sessions) as s:
        for k in range(PROMISES):
            customer = customers.create_customer(
                s,
                actor=OPERATOR,
                now=START,
                name=f"Pekáreň {k}",
                language="sk",
                timezone="Europe/Bratislava",
                currency="EUR",
                recurring_value=Decimal("300"),
                contacts=[
                    customers.ContactInput(name=f"Jana {k}", email=f"jana{k}@pekaren.example")
                ],
            )
            promise = commitments.create_commitment(
                s,
                actor=OPERATOR,
                now=START,
                customer_id=customer.id,
                title="Náhradná dodávka múky",
                kind=CommitmentKind.DELIVERABLE,
                currency="EUR",
                due_at=START + timedelta(hours=1, minutes=10) + k * timedelta(hours=4),
                owner_id=cast.agent.id,
            )
            ids.append(promise.id)
    return ids


# Several processes on one database is the PostgreSQL deployment; on SQLite-only runs
# the test is skipped with the other PostgreSQL tests.
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_day_of_jobs_on_two_workers_and_two_servers_survives_two_kills(
    db_url: str,
    sessions: sessionmaker[Session],
    cast: Cast,
    smtp_sink: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    inbox, smtp_port = smtp_sink
    shared = FileClock(tmp_path / "clock")
    shared.set(START)
    here = FrozenClock(START)  # this process's view, kept equal to the file
    held = tmp_path / "held"
    promise_ids = make_promises(sessions, cast)
    jobs = registered_jobs()
    env = dict(
        os.environ,
        AMENDS_HOME=str(tmp_path / "ws"),
        AMENDS_DATABASE_URL=db_url,
        AMENDS_SECRET_KEY="a-shared-secret-for-all-four-processes",
        AMENDS_CLOCK_FILE=str(shared.path),
        AMENDS_WORKER_POLL_SECONDS="0.2",
        AMENDS_SMTP_HOST="127.0.0.1",
        AMENDS_SMTP_PORT=str(smtp_port),
        AMENDS_REHEARSAL_DIR=str(held),
        AMENDS_LOG_LEVEL="WARNING",
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    fleet = Fleet(env, logs)
    both_points = f"{rehearsal.SWEEP_BEFORE_COMMIT},{rehearsal.SEND_BEFORE_RECORD}"
    seen: list[datetime] = [START]

    def runs() -> dict[tuple[str, datetime], tuple[str, str, int]]:
        with transaction(sessions) as s:
            return {
                (r.job, r.slot): (r.status, r.worker, r.attempts) for r in s.scalars(select(JobRun))
            }

    def settled(now: datetime, *, except_held_by: int | None = None) -> bool:
        """Every job has run its slot at ``now`` (or is held by the process to kill)."""
        known = runs()
        for item in jobs.values():
            status, worker, _ = known.get((item.name, slot_of(now, item.every)), ("", "", 0))
            # Worker names end in "-<pid>-<random>" (see worker.worker_name).
            held_run = f"-{except_held_by}-" in worker
            if status != DONE and not (held_run and status == "running"):
                return False
        return True

    def outbox_quiet() -> bool:
        with transaction(sessions) as s:
            return not s.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.status.in_(("pending", "claimed", "sending")))
            )

    def advance() -> datetime:
        now = shared.advance(STEP)
        here.set(now)
        seen.append(now)
        return now

    def kill_at(point: str, pause: list[str]) -> int:
        """Advance one step with ``pause`` stopped, so a worker reaches ``point``; kill it."""
        fleet.signal(pause, signal.SIGSTOP)
        now = advance()
        until(lambda: any(held.glob(f"{point}.*")), f"a worker to hold at {point}")
        [marker] = held.glob(f"{point}.*")
        pid = int(marker.read_text())
        victim = next(n for n, p in fleet.procs.items() if p.pid == pid)
        assert victim.startswith("worker"), victim
        fleet.procs[victim].send_signal(signal.SIGKILL)
        fleet.procs[victim].wait(timeout=10)
        marker.unlink()
        fleet.signal(pause, signal.SIGCONT)
        until(lambda: settled(now, except_held_by=pid), f"the slot at {now} after the kill")
        return pid

    try:
        fleet.start("worker-1", ["worker"], AMENDS_REHEARSAL_HOLD=both_points)
        fleet.start("worker-2", ["worker"], AMENDS_REHEARSAL_HOLD=both_points)
        fleet.serve("serve-1")
        fleet.serve("serve-2")
        servers = ["serve-1", "serve-2"]
        until(lambda: settled(START), "the first slot of every job")
        killed: list[int] = []
        for step in range(1, STEPS + 1):
            if step == SWEEP_KILL_STEP:
                # Only the workers run jobs in this step, so a worker (not a server)
                # is the one that sweeps and holds.
                killed.append(kill_at(rehearsal.SWEEP_BEFORE_COMMIT, servers))
            elif step == SEND_KILL_STEP:
                killed.append(kill_at(rehearsal.SEND_BEFORE_RECORD, servers))
                # Replacements without hold points keep two workers for the rest of the day.
                fleet.start("worker-3", ["worker"])
                fleet.start("worker-4", ["worker"])
            else:
                now = advance()
                until(lambda: settled(now), f"every job's slot at {now}")  # noqa: B023
            if step in REPLIES_AT:
                until(outbox_quiet, "the outbox to be sent")
                make_replies(
                    sessions, here, cast, REPLIES_AT[step], email=f"customer{step}@example.com"
                )
        until(outbox_quiet, "the last replies to be sent")
        for name in ("serve-1", "serve-2", "worker-3", "worker-4"):
            assert fleet.procs[name].poll() is None, fleet.output(name)
    finally:
        fleet.stop_all()

    # Every slot of every job that the day passed through ran once, and only the two
    # runs whose workers were killed needed a second attempt.
    final = runs()
    for item in jobs.values():
        expected = {slot_of(t, item.every) for t in seen}
        done = {slot for (name, slot), (status, _, _) in final.items() if name == item.name}
        assert done == expected, item.name
    assert {st for st, _, _ in final.values()} == {DONE}
    retried = {(name, slot) for (name, slot), (_, _, n) in final.items() if n > 1}
    assert retried == {
        ("ledger-sweep", START + SWEEP_KILL_STEP * STEP),
        ("outbox", START + SEND_KILL_STEP * STEP),
    }
    assert len(killed) == 2 and len(set(killed)) == 2
    with transaction(sessions) as s:
        # Every missed promise: one breach, one case.
        breaches = Counter(s.scalars(select(Breach.commitment_id)))
        assert breaches == Counter(promise_ids)
        cases = Counter(s.scalars(select(Case.commitment_id).where(Case.origin == Origin.BREACH)))
        assert cases == Counter(promise_ids)
        assert s.scalar(select(func.count()).select_from(Commitment)) == PROMISES
        outbox = dict(s.execute(select(OutboxItem.idempotency_key, OutboxItem.status)).all())
    # Every reply reached the SMTP server exactly once; the one whose sender died after
    # the hand-over is marked uncertain for a person, never sent again.
    assert len(outbox) == sum(REPLIES_AT.values())
    message_ids = [str(message_from_bytes(raw)["Message-ID"]) for raw in inbox.received]
    for key in outbox:
        assert sum(key in mid for mid in message_ids) == 1, key
    assert len(message_ids) == len(outbox)
    assert sorted(outbox.values()) == ["sent"] * (len(outbox) - 1) + ["uncertain"]
