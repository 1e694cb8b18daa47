"""Crash rounds: real `amends` processes killed with SIGKILL at random moments, then checked.

One implementation for the CI tests (tests/durability/test_*.py, a few rounds each) and
the benchmark (bench/durability.py, fifty and more). Each component runs on a *place*
(a workspace folder, a database and a shared clock file) like this:

1. new input arrives (mail in a maildir, mail over SMTP, promises falling due, replies
   queued), the real command starts, and it is killed with SIGKILL after a random,
   seeded delay somewhere in its working life; repeated for every round;
2. one clean pass runs to completion, as the next run would, then one worker pass
   (`amends worker --once`) for what is left to the jobs (judging new cases, job runs
   a killed worker held);
3. the check: every input done exactly once (lost, duplicated), nothing left half
   done after the worker pass (stranded), and the database whole (integrity).

A kill may land before the process has done anything, in the middle of a transaction
or just after a commit; the delay is drawn from the length of a run, learnt from runs
that ended before their kill, so over many rounds kills fall all along a run. The
outbox sender and the sweep are also killed, in some rounds chosen by the seed, at the
worst moment (rehearsal hold points): the sender after the relay took a mail and before
the row says so, the sweep with breaches recorded and cases opened but not committed.
"""

from __future__ import annotations

import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from amends import migrate, rehearsal
from amends.cases.models import Case
from amends.cases.rules import Category, Origin, Severity, Step
from amends.clock import FileClock
from amends.commitments import service as commitments
from amends.commitments.models import Breach, Commitment
from amends.commitments.rules import CommitmentKind
from amends.customers import service as customers
from amends.db import make_engine, make_session_factory, transaction
from amends.intake.models import RawMail
from amends.messages import review
from amends.messages.models import Message, OutboxItem
from amends.messages.rules import OutboxStatus, Resolution
from amends.patterns.models import JudgingQueued
from amends.people import service as people
from amends.people.rules import OPERATOR, Actor, Role
from amends.playbook import policy as playbooks
from amends.recovery import conversation, flows
from amends.schedule import RUNNING, JobRun

AMENDS = str(Path(sys.executable).with_name("amends"))
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
OUR_ADDRESS = "care@amends-durability.example"
# Past the outbox's lease on a claimed row and the worker's lease on a job run (ten
# minutes each), so what a killed process held is free again for the next one.
PAST_LEASES = timedelta(minutes=11)
PROMISE_STEP = timedelta(hours=1)  # the sweep's clock moves this far each round
WAIT = 120.0  # real seconds a live process gets before the round fails (busy machines)
COMPONENTS = ("intake-maildir", "intake-smtp", "sweep", "outbox")


@dataclass
class Place:
    """Where the processes run: a workspace folder, its database and a shared clock."""

    home: Path
    url: str
    clock: FileClock
    engine: Engine
    sessions: sessionmaker[Session]
    extra_env: dict[str, str] = field(default_factory=dict)
    agent: Actor = OPERATOR  # an agent who owns cases and writes replies
    owner: Actor = OPERATOR  # an owner who settles uncertain replies

    @property
    def engine_name(self) -> str:
        return "postgresql" if self.engine.dialect.name == "postgresql" else "sqlite"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "AMENDS_HOME": str(self.home),
            "AMENDS_DATABASE_URL": self.url,
            "AMENDS_CLOCK_FILE": str(self.clock.path),
            "AMENDS_MAIL_FROM": OUR_ADDRESS,
            "AMENDS_SECRET_KEY": "durability-rounds-share-one-secret",
            # Many replies go to few inboxes here; the loop guard is not under test.
            "AMENDS_REPLY_CAP_PER_HOUR": "10000",
            "AMENDS_LOG_LEVEL": "WARNING",
            **self.extra_env,
            **extra,
        }

    def log(self, name: str) -> Path:
        logs = self.home.parent / "logs"
        logs.mkdir(exist_ok=True)
        return logs / f"{name}.log"

    def close(self) -> None:
        self.engine.dispose()


def open_place(root: Path, url: str) -> Place:
    """A place in ``root`` on the database at ``url`` (migrated here), clock at START."""
    root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    migrate.upgrade(engine)
    clock = FileClock(root / "clock")
    clock.set(START)
    place = Place(root / "ws", url, clock, engine, make_session_factory(engine))
    # Intake gives new complaints to an owner; the sweep's cases and replies need one.
    place.agent, place.owner = make_people(place)
    return place


@dataclass
class Result:
    """What one component's rounds did and what the check found."""

    component: str
    engine: str
    rounds: int
    killed: int = 0  # rounds whose process died of the SIGKILL (the rest ended first)
    landed: int = 0  # kills that left work half done (what that means: each component)
    inputs: int = 0
    stored: int = 0  # inputs done exactly once
    lost: int = 0
    duplicated: int = 0
    stranded: int = 0
    integrity: str = ""
    seconds: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.stored == self.inputs
            and self.lost == self.duplicated == self.stranded == 0
            and self.integrity == "ok"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "engine": self.engine,
            "rounds": self.rounds,
            "killed": self.killed,
            "landed": self.landed,
            "inputs": self.inputs,
            "stored": self.stored,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "stranded": self.stranded,
            "integrity": self.integrity,
            "seconds": round(self.seconds, 2),
            **self.notes,
        }


class Killer:
    """Starts a command and kills it after a random delay drawn from the length of a run.

    ``span`` is how long a whole run took when it was last let finish; a delay between a
    fifth of it and a little more than all of it lands anywhere in a run, and now and
    then after its end (the run finished: its length teaches the next delays).
    """

    def __init__(self, rng: random.Random, place: Place, name: str) -> None:
        self.rng = rng
        self.place = place
        self.name = name
        self.span = 1.0
        self.killed = 0

    def calibrate(self, command: list[str], **env: str) -> None:
        """Run ``command`` to its end once; its length is the first span."""
        started = time.monotonic()
        finish(self.place, self.name, command, **env)
        self.span = max(0.05, time.monotonic() - started)

    def delay(self) -> float:
        return self.rng.uniform(0.2, 1.1) * self.span

    def run(self, command: list[str], **env: str) -> bool:
        """One round: True if the process was killed, False if it finished first."""
        wait = self.delay()
        with self.place.log(self.name).open("ab") as log:
            started = time.monotonic()
            proc = subprocess.Popen(
                command, env=self.place.env(**env), stdout=subprocess.DEVNULL, stderr=log
            )
            try:
                code = proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                self.kill(proc)
                return True
        if code != 0:
            raise RuntimeError(f"{self.name} failed ({code}); see {self.place.log(self.name)}")
        self.span = max(0.05, time.monotonic() - started)
        return False

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=WAIT)
        if proc.returncode == -signal.SIGKILL:
            self.killed += 1


def finish(place: Place, name: str, command: list[str], **env: str) -> None:
    """Run ``command`` to its end (a clean pass); fail loudly if it fails."""
    with place.log(name).open("ab") as log:
        done = subprocess.run(
            command,
            env=place.env(**env),
            stdout=subprocess.DEVNULL,
            stderr=log,
            timeout=WAIT * 5,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}); see {place.log(name)}")


def integrity(place: Place) -> str:
    """ "ok", or what is wrong: SQLite's own checks, then consistency queries (both)."""
    problems: list[str] = []
    with place.engine.connect() as conn:
        if place.engine_name == "sqlite":
            found = [str(r) for r in conn.exec_driver_sql("PRAGMA integrity_check").scalars()]
            if found != ["ok"]:
                problems.extend(found[:5])
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                problems.append(f"{len(broken)} rows name rows that do not exist")
        for what, query in CONSISTENCY.items():
            count = int(conn.execute(text(query)).scalar() or 0)
            if count:
                problems.append(f"{count} {what}")
    return "ok" if not problems else "; ".join(problems)


# Rows that can only exist half-written if a crash broke a transaction apart.
CONSISTENCY = {
    "raw mails stored without their message": (
        "SELECT count(*) FROM raw_mail WHERE status = 'stored' AND message_id IS NULL"
    ),
    "raw mails naming a missing message": (
        "SELECT count(*) FROM raw_mail r LEFT JOIN messages m ON m.id = r.message_id"
        " WHERE r.message_id IS NOT NULL AND m.id IS NULL"
    ),
    "messages on a missing case": (
        "SELECT count(*) FROM messages m LEFT JOIN cases c ON c.id = m.case_id"
        " WHERE m.case_id IS NOT NULL AND c.id IS NULL"
    ),
    "breaches without their case": "SELECT count(*) FROM breaches WHERE case_id IS NULL",
    "outbox rows without their message": (
        "SELECT count(*) FROM outbox o LEFT JOIN messages m ON m.id = o.message_id"
        " WHERE m.id IS NULL"
    ),
}


def left_behind(place: Place) -> dict[str, int]:
    """What a worker pass must have finished: cases still queued for judging (intake and
    the sweep leave them to the judge-cases job when killed before judging) and job
    runs still marked running (a killed worker's runs are taken over by the next)."""
    with transaction(place.sessions) as s:
        return {
            "judging_queued": int(s.scalar(select(func.count()).select_from(JudgingQueued)) or 0),
            "job_runs_running": int(
                s.scalar(select(func.count()).select_from(JobRun).where(JobRun.status == RUNNING))
                or 0
            ),
        }


def worker_pass(place: Place, result: Result) -> None:
    """One `amends worker --once` once the killed processes' leases ran out; what it left
    behind counts as stranded."""
    place.clock.advance(PAST_LEASES)
    finish(place, "worker", [AMENDS, "worker", "--once"])
    behind = left_behind(place)
    result.notes["after_worker_pass"] = behind
    result.stranded += sum(behind.values())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- intake -------------------------------------------------------------------------


def mail(component: str, i: int) -> tuple[str, bytes]:
    """Mail number ``i``: its Message-ID (as intake keeps it: no brackets) and bytes."""
    key = f"{component}-{i}@kaviaren-dunaj.example"
    msg = EmailMessage()
    msg["From"] = f"Jana Horváthová <jana{i % 7}@kaviaren{i % 5}.example>"
    msg["To"] = OUR_ADDRESS
    msg["Subject"] = f"Objednávka {1000 + i} neprišla"
    msg["Message-ID"] = f"<{key}>"
    msg["Date"] = format_datetime(START)
    msg.set_content(
        f"Dobrý deň, objednávka číslo {1000 + i} stále neprišla. Prosím, "
        "ozvite sa mi čo najskôr, potrebujem ju na víkend."
    )
    return key, msg.as_bytes()


def check_intake(place: Place, result: Result, keys: list[str]) -> None:
    """Every mail one message and one stored raw mail; nothing pending or quarantined."""
    with transaction(place.sessions) as s:
        messages = Counter(
            s.scalars(select(Message.message_key).where(Message.message_key.in_(keys)))
        )
        raws = Counter(
            s.scalars(
                select(RawMail.message_key).where(
                    RawMail.message_key.in_(keys), RawMail.status == "stored"
                )
            )
        )
        result.stranded = int(
            s.scalar(
                select(func.count())
                .select_from(RawMail)
                .where(RawMail.status.in_(("pending", "quarantined")))
            )
            or 0
        )
    result.inputs = len(keys)
    result.stored = sum(1 for k in keys if messages[k] == 1 and raws[k] == 1)
    result.lost = sum(1 for k in keys if messages[k] == 0 or raws[k] == 0)
    result.duplicated = sum(1 for k in keys if messages[k] > 1 or raws[k] > 1)
    result.integrity = integrity(place)


def count_pending_raw(place: Place) -> int:
    with transaction(place.sessions) as s:
        return int(
            s.scalar(select(func.count()).select_from(RawMail).where(RawMail.status == "pending"))
            or 0
        )


def maildir_rounds(place: Place, *, rounds: int, per_round: int, seed: int) -> Result:
    """`amends intake maildir` killed while new mail keeps arriving in the maildir.

    Small batches make many transactions; a kill *lands* when it leaves raw mail stored
    but pending (between a batch's two commits). The clean pass is the next run.
    """
    started = time.monotonic()
    result = Result("intake-maildir", place.engine_name, rounds)
    box = place.home.parent / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    keys: list[str] = []

    def arrive(n: int) -> None:
        for _ in range(n):
            key, raw = mail(result.component, len(keys))
            (box / "new" / f"{len(keys):05d}.eml").write_bytes(raw)
            keys.append(key)

    command = [AMENDS, "intake", "maildir", str(box), "--batch", "2"]
    killer = Killer(random.Random(seed), place, result.component)
    arrive(per_round)
    killer.calibrate(command)
    for _ in range(rounds):
        arrive(per_round)
        if killer.run(command):
            result.landed += count_pending_raw(place) > 0
    result.notes["left_pending_after_kills"] = count_pending_raw(place)
    finish(place, result.component, command)
    result.killed = killer.killed
    check_intake(place, result, keys)
    worker_pass(place, result)
    result.seconds = time.monotonic() - started
    return result


@dataclass
class Sender:
    """An SMTP client that delivers mail in order and keeps what was not answered 250."""

    port: int
    queue: list[tuple[str, bytes]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    cut: int = 0  # mails in flight when the connection broke

    def deliver(self) -> None:
        """Send the queue until it is empty or the server goes away."""
        try:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=WAIT) as client:
                while self.queue:
                    key, raw = self.queue[0]
                    try:
                        client.sendmail(f"jana@{key.split('@')[1]}", [OUR_ADDRESS], raw)
                    except (smtplib.SMTPException, OSError):
                        self.cut += 1
                        return
                    self.acknowledged.append(key)
                    self.queue.pop(0)
        except (smtplib.SMTPException, OSError):
            return


def wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"amends intake smtp did not listen on {port}") from None
            time.sleep(0.02)  # a real server process starting


@contextmanager
def smtp_intake(place: Place, name: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`amends intake smtp` on a free port, once it listens; killed when the block ends."""
    port = free_port()
    with place.log(name).open("ab") as log:
        proc = subprocess.Popen(
            [AMENDS, "intake", "smtp", "--port", str(port)],
            env=place.env(),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        wait_for_port(port, proc)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=WAIT)


def smtp_rounds(place: Place, *, rounds: int, per_round: int, seed: int) -> Result:
    """`amends intake smtp` killed while a client delivers mail to it.

    The client behaves as a mail server does: what was not answered 250 is sent again
    to the next process, and a mail answered 250 must never be lost. The delay runs
    from the moment the port listens; a kill *lands* when it broke the connection with
    mail still to deliver (a mail in flight, or the next one about to go).
    """
    started = time.monotonic()
    result = Result("intake-smtp", place.engine_name, rounds)
    rng = random.Random(seed)
    keys: list[str] = []
    sender = Sender(0)

    def arrive(n: int) -> None:
        for _ in range(n):
            key, raw = mail(result.component, len(keys))
            sender.queue.append((key, raw))
            keys.append(key)

    def delivering(port: int) -> threading.Thread:
        sender.port = port
        thread = threading.Thread(target=sender.deliver, daemon=True)
        thread.start()
        return thread

    arrive(per_round)
    with smtp_intake(place, result.component) as (port, _):
        begun = time.monotonic()
        client = delivering(port)
        client.join(WAIT)
        span = max(0.05, time.monotonic() - begun)
    killed = 0
    for _ in range(rounds):
        arrive(per_round)
        with smtp_intake(place, result.component) as (port, proc):
            begun = time.monotonic()
            client = delivering(port)
            client.join(rng.uniform(0.2, 1.1) * span)
            if client.is_alive():
                cut = sender.cut
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=WAIT)
                killed += 1
                client.join(WAIT)
                result.landed += sender.cut > cut
            else:
                span = max(0.05, time.monotonic() - begun)
                proc.send_signal(signal.SIGKILL)  # idle: nothing in flight
                proc.wait(timeout=WAIT)
                killed += 1
    # The clean pass: one more server takes what was never answered.
    with smtp_intake(place, result.component) as (port, proc):
        delivering(port).join(WAIT)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=WAIT)
    if sender.queue:
        raise RuntimeError(f"{len(sender.queue)} mails were still refused after the rounds")
    result.killed = killed
    check_intake(place, result, keys)
    worker_pass(place, result)
    result.notes["acknowledged"] = len(sender.acknowledged)
    result.seconds = time.monotonic() - started
    return result


# --- the sweep ----------------------------------------------------------------------


def make_people(place: Place) -> tuple[Actor, Actor]:
    """An agent to own cases and write replies, and an owner to settle uncertain mail."""
    now = place.clock.now()
    with transaction(place.sessions) as s:
        made = []
        for key, role in (("agent", Role.AGENT), ("owner", Role.OWNER)):
            email = f"{key}@amends-durability.example"
            user = people.create_user(s, email=email, name=key.title(), role=role, now=now)
            made.append(Actor(user.id, role, key))
    return made[0], made[1]


def make_promises(place: Place, owner: Actor, *, groups: int, per_group: int) -> None:
    """``per_group`` deliverables (each its own customer) due in each of ``groups`` hours
    after START, half an hour past the hour so that no deadline meets the clock."""
    with transaction(place.sessions) as s:
        for g in range(groups):
            for k in range(per_group):
                customer = customers.create_customer(
                    s,
                    actor=OPERATOR,
                    now=START,
                    name=f"Pekáreň {g}-{k}",
                    language="sk",
                    timezone="Europe/Bratislava",
                    currency="EUR",
                    recurring_value=Decimal("300"),
                    contacts=[
                        customers.ContactInput(
                            name=f"Jana {g}-{k}", email=f"jana{g}-{k}@pekaren.example"
                        )
                    ],
                )
                commitments.create_commitment(
                    s,
                    actor=OPERATOR,
                    now=START,
                    customer_id=customer.id,
                    title="Náhradná dodávka múky",
                    kind=CommitmentKind.DELIVERABLE,
                    currency="EUR",
                    due_at=START + g * PROMISE_STEP + timedelta(minutes=30),
                    owner_id=owner.user_id,
                )


def unjudged(place: Place) -> int:
    """Promises past their deadline with no breach recorded yet."""
    now = place.clock.now().replace(tzinfo=None)
    with transaction(place.sessions) as s:
        due = [c.id for c in s.scalars(select(Commitment)) if _deadline(c) < now]
        judged = set(s.scalars(select(Breach.commitment_id)))
    return sum(1 for cid in due if cid not in judged)


def _deadline(c: Commitment) -> datetime:
    assert c.due_at is not None
    due = c.due_at.replace(tzinfo=None)
    return due + timedelta(hours=c.grace_hours)


def sweep_rounds(
    place: Place, *, rounds: int, per_round: int, seed: int, hold_share: float = 0.25
) -> Result:
    """`amends sweep` killed while promises keep falling due (the clock moves an hour a
    round and ``per_round`` more deadlines pass). A kill *lands* when due promises were
    left unjudged (killed before its commit). The sweep's transaction is short, so in a
    share of the rounds (``hold_share``, by the seed) the worker's sweep (`amends worker
    --once`) is killed inside it instead: breaches recorded and cases opened, not yet
    committed. The clean pass is the next sweep. Each missed promise: one breach, one
    case."""
    started = time.monotonic()
    result = Result("sweep", place.engine_name, rounds)
    rng = random.Random(seed)
    make_promises(place, place.agent, groups=rounds + 2, per_group=per_round)
    command = [AMENDS, "sweep", "--json"]
    killer = Killer(rng, place, result.component)
    place.clock.advance(PROMISE_STEP)
    killer.calibrate(command)
    at_hold = 0
    for _ in range(rounds):
        place.clock.advance(PROMISE_STEP)
        if rng.random() < hold_share:
            at_hold += 1
            held = place.home.parent / "held"
            worker = [AMENDS, "worker", "--once"]
            kill_at_hold(place, killer, worker, held, rehearsal.SWEEP_BEFORE_COMMIT)
            result.landed += unjudged(place) > 0
        elif killer.run(command):
            result.landed += unjudged(place) > 0
    result.notes["killed_at_hold_point"] = at_hold
    result.notes["unjudged_after_kills"] = unjudged(place)
    finish(place, result.component, command)
    result.killed = killer.killed
    now = place.clock.now().replace(tzinfo=None)
    worker_pass(place, result)  # its own sweep finds no new deadline: they are on the half hour
    with transaction(place.sessions) as s:
        promises = list(s.scalars(select(Commitment)))
        due = {c.id for c in promises if _deadline(c) < now}
        breaches = Counter(s.scalars(select(Breach.commitment_id)))
        cases = Counter(s.scalars(select(Case.commitment_id).where(Case.origin == Origin.BREACH)))
        linked = Counter(s.scalars(select(Breach.commitment_id).where(Breach.case_id.is_not(None))))
    result.inputs = len(due)
    result.stored = sum(1 for c in due if breaches[c] == cases[c] == linked[c] == 1)
    result.lost = sum(1 for c in due if breaches[c] == 0 or cases[c] == 0)
    result.duplicated = sum(1 for c in due if breaches[c] > 1 or cases[c] > 1)
    # A promise not yet due with a breach would be a miss invented by a crash.
    result.notes["breaches_before_deadline"] = sum(n for c, n in breaches.items() if c not in due)
    result.duplicated += result.notes["breaches_before_deadline"]
    result.stranded += sum(1 for c in due if breaches[c] and not linked[c])
    result.integrity = integrity(place)
    result.seconds = time.monotonic() - started
    return result


# --- the outbox ---------------------------------------------------------------------


class Sink:
    """A real SMTP server on loopback that counts each delivered Message-ID."""

    def __init__(self) -> None:
        self.delivered: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mid = str(message_from_bytes(envelope.content)["Message-ID"] or "").strip("<> ")
        with self.lock:
            self.delivered[mid] += 1
        return "250 OK"


@contextmanager
def sink() -> Iterator[tuple[Sink, int]]:
    box = Sink()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


REPLY = "Dobrý deň, je nám to ľúto. Chyba bola na našej strane; novú dodávku sme poslali dnes."


def queue_replies(place: Place, agent: Actor, *, batch: int, n: int) -> None:
    """``n`` replies, each on its own case of one new customer, waiting in the outbox."""
    now = place.clock.now()
    book = playbooks.load(place.home, workspace_timezone="Europe/Bratislava")
    with transaction(place.sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=now,
            name=f"Kaviareň {batch}",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
            recurring_value=Decimal("200"),
            contacts=[
                customers.ContactInput(
                    name="Jana", email=f"jana{batch}@kaviaren.example", is_primary=True
                )
            ],
        )
        for i in range(n):
            case = flows.open_case(
                s,
                actor=agent,
                now=now,
                customer_id=customer.id,
                owner_id=agent.user_id,
                title=f"Objednávka {batch}-{i} neprišla",
                severity=Severity.LOW,
                category=Category.WRONG_ITEM,
                origin=Origin.COMPLAINT,
                playbook=book,
            )
            conversation.send_reply(
                s,
                case.id,
                actor=agent,
                now=now,
                playbook=book,
                text=REPLY,
                steps=[Step.OWN, Step.REMEDY],
            )


def outbox_counts(place: Place) -> Counter[str]:
    with transaction(place.sessions) as s:
        return Counter(str(status) for status in s.scalars(select(OutboxItem.status)))


HALF_DONE = ("claimed", "sending")
NOT_DONE = ("pending", "claimed", "sending")


def outbox_rounds(
    place: Place, *, rounds: int, per_round: int, seed: int, hold_share: float = 0.25
) -> Result:
    """The outbox sender (`amends worker --once`) killed while replies keep being queued.

    Each round queues ``per_round`` replies, moves the clock past the leases and starts
    a worker; in a share of the rounds (``hold_share``, by the seed) it is killed right
    after the relay took a mail, before the row says so, else after a random delay. A
    kill *lands* when it leaves rows claimed or sending. After the clean pass, what a
    dead sender was handing over is ``uncertain``: a person settles each (here: by the
    relay's log, resent when it never arrived), one more pass sends the resent, and
    every reply must have reached the relay exactly once.
    """
    started = time.monotonic()
    result = Result("outbox", place.engine_name, rounds)
    rng = random.Random(seed)
    agent, owner = place.agent, place.owner
    command = [AMENDS, "worker", "--once"]
    held = place.home.parent / "held"
    with sink() as (relay, port):
        place.extra_env.update(AMENDS_SMTP_HOST="127.0.0.1", AMENDS_SMTP_PORT=str(port))
        killer = Killer(rng, place, result.component)
        batch = 0
        queue_replies(place, agent, batch=batch, n=per_round)
        killer.calibrate(command)
        at_hold = 0
        for _ in range(rounds):
            batch += 1
            place.clock.advance(PAST_LEASES)
            queue_replies(place, agent, batch=batch, n=per_round)
            if rng.random() < hold_share:
                at_hold += 1
                kill_at_hold(place, killer, command, held, rehearsal.SEND_BEFORE_RECORD)
            else:
                killer.run(command)
            result.landed += any(outbox_counts(place)[s] for s in HALF_DONE)
        place.clock.advance(PAST_LEASES)
        finish(place, result.component, command)
        after_pass = outbox_counts(place)
        result.stranded = sum(after_pass[s] for s in NOT_DONE)
        resent, marked = settle_uncertain(place, owner, relay)
        place.clock.advance(timedelta(minutes=1))
        finish(place, result.component, command)
        with transaction(place.sessions) as s:
            rows = dict(s.execute(select(OutboxItem.idempotency_key, OutboxItem.status)).all())
        behind = left_behind(place)
        delivered = Counter(relay.delivered)
    domain = OUR_ADDRESS.rsplit("@", 1)[1]
    counts = [delivered[f"{key}@{domain}"] for key in rows]
    result.killed = killer.killed
    result.inputs = len(rows)
    result.stored = sum(
        1 for key, n in zip(rows, counts, strict=True) if n == 1 and rows[key] == "sent"
    )
    result.lost = sum(1 for n in counts if n == 0)
    result.duplicated = sum(1 for n in counts if n > 1)
    result.stranded += sum(1 for status in rows.values() if status != "sent")
    result.stranded += sum(behind.values())
    result.notes.update(
        killed_at_hold_point=at_hold,
        uncertain=resent + marked,
        uncertain_resent=resent,
        uncertain_marked_sent=marked,
        statuses_after_first_pass=dict(after_pass),
        after_worker_pass=behind,
    )
    result.integrity = integrity(place)
    result.seconds = time.monotonic() - started
    return result


def kill_at_hold(place: Place, killer: Killer, command: list[str], held: Path, point: str) -> None:
    """Start ``command`` told to stop at the hold ``point``; SIGKILL it there."""
    env = {
        "AMENDS_REHEARSAL_HOLD": point,
        "AMENDS_REHEARSAL_DIR": str(held),
    }
    with place.log(killer.name).open("ab") as log:
        proc = subprocess.Popen(
            command, env=place.env(**env), stdout=subprocess.DEVNULL, stderr=log
        )
        deadline = time.monotonic() + WAIT
        try:
            while not any(held.glob("*")):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{killer.name} never reached the hold point {point}")
                time.sleep(0.02)  # a real process on its way to the hold point
        finally:
            killer.kill(proc)
            for marker in held.glob("*"):
                marker.unlink()


def settle_uncertain(place: Place, owner: Actor, relay: Sink) -> tuple[int, int]:
    """What a person does with each uncertain reply, using the relay's log: (resent,
    marked sent)."""
    domain = OUR_ADDRESS.rsplit("@", 1)[1]
    resent = marked = 0
    now = place.clock.now()
    with transaction(place.sessions) as s:
        for item in s.scalars(
            select(OutboxItem).where(OutboxItem.status == OutboxStatus.UNCERTAIN)
        ).all():
            arrived = relay.delivered[f"{item.idempotency_key}@{domain}"] > 0
            review.resolve(
                s,
                item.id,
                actor=owner,
                now=now,
                resolution=Resolution.MARK_SENT if arrived else Resolution.RESEND,
                note="checked against the relay's log",
            )
            marked += arrived
            resent += not arrived
    return resent, marked


RUNNERS = {
    "intake-maildir": maildir_rounds,
    "intake-smtp": smtp_rounds,
    "sweep": sweep_rounds,
}


def run_component(
    component: str, place: Place, *, rounds: int, per_round: int, seed: int
) -> Result:
    if component == "outbox":
        return outbox_rounds(place, rounds=rounds, per_round=per_round, seed=seed)
    return RUNNERS[component](place, rounds=rounds, per_round=per_round, seed=seed)
