"""The ledger sweep at 1,000,000 commitments (20% recurring) and ~5,000,000 deliveries.

Targets on SQLite: a sweep with nothing new due <= 2 s; a cold full sweep (nothing ever
judged) <= 30 s. With --postgres URL the same data is loaded into a fresh PostgreSQL
database and measured too.

    python bench/sweep.py [--commitments N] [--postgres postgresql://...] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from calendar import monthrange
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text

from _common import OUT, emit, peak_rss_mb, progress
from amends import migrate
from amends.db import make_engine, make_session_factory, register_sqlite_functions, transaction
from amends.playbook import policy as playbooks
from amends.recovery import sweep as sweeps

NOW = datetime(2026, 11, 1, 12, 0)  # naive UTC, as SQLite stores it
MISS = 0.0005  # chance that an occurrence was never delivered
CUSTOMERS = 50_000
AGENTS = 20
SCHEMA = "commitments-v2"  # bump when the generated data changes shape


def months_between(first: datetime, until: datetime, day: int) -> Iterator[datetime]:
    year, month = first.year, first.month
    while True:
        if day <= monthrange(year, month)[1]:
            when = first.replace(year=year, month=month, day=day)
            if when > until:
                return
            if when >= first:
                yield when
        month += 1
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def ts(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME text; isoformat is several times faster than strftime.
    return value.isoformat(" ") + ".000000"


class Expected:
    """What a correct sweep must find, counted here from the generated data alone.

    The ledger gives deliveries to the oldest occurrence still owed, and every generated
    delivery lies inside its own occurrence's window, so a commitment with P deadlines
    before a moment and D deliveries owes max(0, P - D) breaches then.
    """

    def __init__(self) -> None:
        self.cold_breaches = 0
        self.cold_commitments = 0
        self.next_day_breaches = 0

    def add(self, deadlines: list[datetime], delivered: int) -> None:
        cold = sum(1 for d in deadlines if d < NOW) - delivered
        later = sum(1 for d in deadlines if d < NOW + timedelta(days=1)) - delivered
        if cold > 0:
            self.cold_breaches += cold
            self.cold_commitments += 1
        self.next_day_breaches += max(0, later) - max(0, cold)


def generate(n: int, expected: Expected) -> Iterator[tuple[tuple[Any, ...], list[str]]]:
    """(commitment row, its delivery times) in a fixed, seeded order, streamed."""
    rng = random.Random(11)
    created = ts(NOW - timedelta(days=1200))
    for cid in range(1, n + 1):
        recurring = rng.random() < 0.2
        grace = rng.choice((24, 48, 72))
        owner = rng.randint(2, AGENTS + 1)
        if recurring:
            day = rng.randint(1, 28)
            start = NOW - timedelta(days=rng.randint(210, 1095))
            due_at = start.replace(day=day, hour=9, minute=0, second=0, microsecond=0)
            rrule: str | None = f"FREQ=MONTHLY;BYMONTHDAY={day}"
            # One month past NOW too, so the next-day sweep has deadlines to judge.
            occurrences = list(months_between(due_at, NOW + timedelta(days=31), day))
        else:
            due_at = (NOW - timedelta(days=rng.randint(-60, 730))).replace(minute=0, second=0)
            rrule = None
            occurrences = [due_at]
        times = []
        for when in occurrences:
            if when <= NOW and rng.random() >= MISS:
                times.append(ts(when - timedelta(hours=rng.randint(0, 40))))
        expected.add([o + timedelta(hours=grace) for o in occurrences], len(times))
        row = (
            cid,
            rng.randint(1, CUSTOMERS),
            owner,
            "Mesačný report" if rrule else "Dodávka",
            "recurring_service" if rrule else "deliverable",
            ts(due_at),
            rrule,
            grace,
            created,
            created,
            ts(due_at),
            ts(due_at + timedelta(hours=grace)),
        )
        yield row, times


def build_sqlite(path: Path, n: int) -> dict[str, Any]:
    """Write the ledger straight through sqlite3 (executemany in one transaction)."""
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    db = sqlite3.connect(path)
    register_sqlite_functions(db)  # the search triggers fold with amends_fold
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    created = ts(NOW - timedelta(days=1200))
    db.executemany(
        "INSERT INTO users (id, email, name, role, language, active, created_at) "
        "VALUES (?, ?, ?, ?, 'en', 1, ?)",
        [(1, "owner@bench.example", "Owner", "owner", created)]
        + [
            (i, f"agent{i}@bench.example", f"Agent {i}", "agent", created)
            for i in range(2, AGENTS + 2)
        ],
    )
    db.executemany(
        "INSERT INTO customers (id, name, language, timezone, currency, recurring_value, tier,"
        " status, is_lead, notes, created_at, updated_at) VALUES (?, ?, 'sk',"
        " 'Europe/Bratislava', 'EUR', 200, 'standard', 'active', 0, '', ?, ?)",
        [(i, f"Zákazník {i}", created, created) for i in range(1, CUSTOMERS + 1)],
    )
    expected = Expected()
    recurring = deliveries = 0
    commitment_rows: list[tuple[Any, ...]] = []
    delivery_rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        db.executemany(
            "INSERT INTO commitments (id, customer_id, owner_id, title, kind, manner, due_at,"
            " rrule, grace_hours, value, currency, status, created_at, updated_at,"
            " next_due_at, next_check_at) VALUES"
            " (?, ?, ?, ?, ?, '', ?, ?, ?, 200, 'EUR', 'active', ?, ?, ?, ?)",
            commitment_rows,
        )
        db.executemany(
            "INSERT INTO deliveries (commitment_id, delivered_at, note, created_at)"
            " VALUES (?, ?, '', ?)",
            delivery_rows,
        )
        commitment_rows.clear()
        delivery_rows.clear()

    for row, times in generate(n, expected):
        commitment_rows.append(row)
        recurring += row[6] is not None
        deliveries += len(times)
        delivery_rows.extend((row[0], at, created) for at in times)
        if len(commitment_rows) >= 50_000:
            flush()
            progress(f"{row[0]:,} commitments, {deliveries:,} deliveries")
    flush()
    db.commit()
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        "schema": SCHEMA,
        "commitments": n,
        "recurring": recurring,
        "deliveries": deliveries,
        "expected_cold_breaches": expected.cold_breaches,
        "expected_cold_cases": expected.cold_commitments,
        "expected_next_day_breaches": expected.next_day_breaches,
    }


def build_postgres(url: str, template: Path) -> None:
    """Copy the SQLite template's rows into a fresh PostgreSQL database with COPY."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    raw = engine.raw_connection()
    source = sqlite3.connect(template)
    try:
        cursor = raw.cursor()
        # The template's times are naive UTC text; read them as UTC.
        cursor.execute("SET TIME ZONE 'UTC'")
        tables = {
            "users": "id, email, name, role, language, active, created_at",
            "customers": "id, name, language, timezone, currency, recurring_value, tier,"
            " status, is_lead, notes, created_at, updated_at",
            "commitments": "id, customer_id, owner_id, title, kind, manner, due_at, rrule,"
            " grace_hours, value, currency, status, created_at, updated_at, next_due_at,"
            " next_check_at",
            "deliveries": "id, commitment_id, delivered_at, note, created_at",
        }
        booleans = {"active", "is_lead"}
        for table, columns in tables.items():
            progress(f"COPY {table}")
            names = [c.strip() for c in columns.split(",")]
            flags = [i for i, c in enumerate(names) if c in booleans]
            rows = source.execute(f"SELECT {columns} FROM {table} ORDER BY id")
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for record in rows:
                    if flags:
                        record = list(record)
                        for i in flags:
                            record[i] = bool(record[i])
                    copy.write_row(record)
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        source.close()
        raw.close()
    engine.dispose()


def count(url: str, sql: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = int(conn.execute(text(sql)).scalar_one())
    engine.dispose()
    return value


class WriterProbe:
    """A web request's write, tried every 0.1 s during the sweep on its own connection:
    how long it waited for SQLite's write lock, and whether it ever timed out."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.waits: list[float] = []
        self.timeouts = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="writer-probe")

    def run(self) -> None:
        # The server's busy_timeout (10 s): a wait this long is a failed request.
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("ROLLBACK")
                except sqlite3.OperationalError:
                    self.timeouts += 1
                self.waits.append(time.perf_counter() - started)
                self.stop.wait(0.1)
        finally:
            conn.close()

    def __enter__(self) -> WriterProbe:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()


def measure(url: str, meta: dict[str, Any]) -> dict[str, Any]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    book = playbooks.parse(playbooks.DEFAULT_PATH.read_text(), workspace_timezone="UTC")
    now = NOW.replace(tzinfo=UTC)

    def units() -> Any:
        return transaction(sessions)

    path = make_url(url).database if url.startswith("sqlite") else None
    probe = WriterProbe(path) if path else None
    started = time.perf_counter()
    if probe:
        with probe:
            cold = sweeps.sweep_in_chunks(units, now=now, playbook=book)
    else:
        cold = sweeps.sweep_in_chunks(units, now=now, playbook=book)
    cold_seconds = time.perf_counter() - started
    idle = []
    for i in range(3):
        started = time.perf_counter()
        again = sweeps.sweep_in_chunks(
            units, now=now + timedelta(seconds=30 * (i + 1)), playbook=book
        )
        idle.append(time.perf_counter() - started)
        assert again.breaches_opened == 0, again.as_dict()
    started = time.perf_counter()
    next_day = sweeps.sweep_in_chunks(units, now=now + timedelta(days=1), playbook=book)
    day_seconds = time.perf_counter() - started
    engine.dispose()
    # Counted in the database after the fact, and compared with what the generator knows.
    stored_breaches = count(url, "SELECT count(*) FROM breaches")
    stored_cases = count(url, "SELECT count(*) FROM cases WHERE origin = 'breach'")
    unlinked = count(url, "SELECT count(*) FROM breaches WHERE case_id IS NULL")
    correct = (
        cold.breaches_opened == meta["expected_cold_breaches"]
        and len(cold.cases_opened) == meta["expected_cold_cases"]
        and next_day.breaches_opened == meta["expected_next_day_breaches"]
        and stored_breaches == meta["expected_cold_breaches"] + meta["expected_next_day_breaches"]
        and unlinked == 0
    )
    return {
        "cold_full_sweep_seconds": round(cold_seconds, 2),
        "cold_commitments_checked": cold.commitments_checked,
        "cold_breaches": cold.breaches_opened,
        "cold_cases_opened": len(cold.cases_opened),
        "cold_chunks": cold.chunks,
        "cold_longest_chunk_seconds": round(cold.longest_chunk_seconds, 3),
        "cold_writer_probe_longest_wait_seconds": (
            round(max(probe.waits), 3) if probe and probe.waits else None
        ),
        "cold_writer_probes": len(probe.waits) if probe else None,
        "cold_writer_probe_timeouts": probe.timeouts if probe else None,
        "nothing_new_due_seconds": round(min(idle), 4),
        "next_day_sweep_seconds": round(day_seconds, 2),
        "next_day_commitments_checked": next_day.commitments_checked,
        "next_day_breaches": next_day.breaches_opened,
        "next_day_cases_opened": len(next_day.cases_opened),
        "next_day_cases_joined": len(next_day.cases_joined),
        "next_day_longest_chunk_seconds": round(next_day.longest_chunk_seconds, 3),
        "stored_breaches": stored_breaches,
        "stored_breach_cases": stored_cases,
        "correct": correct,
    }


def template_for(n: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The generated ledger for n commitments, built once (niced) and kept in bench/out."""
    home = OUT / f"sweep-{n}"
    template, meta_file = home / "template.db", home / "meta.json"
    if rebuild and home.exists():
        shutil.rmtree(home)
    if meta_file.exists() and template.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("schema") == SCHEMA and meta.get("head") == migrate_head():
            return template, meta
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    progress(f"generating {n:,} commitments (once; kept in {home})")
    started = time.perf_counter()
    # Generation runs niced in its own process, so it yields the CPU to other work.
    subprocess.run(
        ["nice", "-n", "10", sys.executable, __file__, "--generate", str(n), str(template)],
        check=True,
    )
    meta = json.loads(meta_file.read_text())
    progress(f"generated in {time.perf_counter() - started:.0f} s")
    return template, meta


def migrate_head() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commitments", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="PostgreSQL URL to measure there too")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--generate", nargs=2, metavar=("N", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        n, path = int(args.generate[0]), Path(args.generate[1])
        meta = build_sqlite(path, n) | {"head": migrate_head()}
        path.with_name("meta.json").write_text(json.dumps(meta, indent=2))
        return

    template, meta = template_for(args.commitments, args.rebuild)
    work = template.with_name("work.db")
    shutil.copyfile(template, work)  # every run starts cold
    for suffix in ("-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    os.sync()  # the copy's write-back must not compete with the timed sweep for the disk
    progress(f"sweeping (SQLite), load average {os.getloadavg()[0]:.2f}")
    result: dict[str, Any] = {
        "benchmark": "sweep",
        "commitments": meta["commitments"],
        "recurring_share": round(meta["recurring"] / meta["commitments"], 3),
        "deliveries": meta["deliveries"],
        "expected_cold_breaches": meta["expected_cold_breaches"],
        "expected_cold_cases": meta["expected_cold_cases"],
        "expected_next_day_breaches": meta["expected_next_day_breaches"],
        "load_average_before": round(os.getloadavg()[0], 2),
        "sqlite": measure(f"sqlite:///{work}", meta),
        "targets": {"nothing_new_due_seconds": 2, "cold_full_sweep_seconds": 30},
    }
    sqlite = result["sqlite"]
    result["sqlite_ok"] = (
        sqlite["correct"]
        and sqlite["nothing_new_due_seconds"] <= 2
        and sqlite["cold_full_sweep_seconds"] <= 30
    )
    if args.postgres:
        admin = make_engine(args.postgres, isolation_level="AUTOCOMMIT")
        name = f"amends_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        try:
            build_postgres(url, template)
            progress(f"sweeping (PostgreSQL), load average {os.getloadavg()[0]:.2f}")
            result["postgresql"] = measure(url, meta)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    result["peak_rss_mb"] = round(peak_rss_mb())
    emit(result)


if __name__ == "__main__":
    main()
