"""The ledger sweep at 1,000,000 commitments (20% recurring) and ~5,000,000 deliveries.

Targets on SQLite: a sweep with nothing new due <= 2 s; a cold full sweep (nothing ever
judged) <= 30 s. With --postgres URL the same data is loaded into a fresh PostgreSQL
database and measured too.

    python bench/sweep.py [--commitments N] [--postgres postgresql://...] [--rebuild]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
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
from amends.cases import playbook as playbooks
from amends.commitments import ledger
from amends.db import make_engine, make_session_factory, transaction

FMT = "%Y-%m-%d %H:%M:%S.%f"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
MISS = 0.0005  # chance that an occurrence was never delivered
CUSTOMERS = 50_000
AGENTS = 20


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


def generate(n: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(commitments, deliveries) as plain tuples in a fixed, seeded order."""
    rng = random.Random(11)
    commitments, deliveries = [], []
    delivery_id = 0
    for cid in range(1, n + 1):
        recurring = rng.random() < 0.2
        grace = rng.choice((24, 48, 72))
        owner = rng.randint(2, AGENTS + 1)
        if recurring:
            day = rng.randint(1, 28)
            start = NOW - timedelta(days=rng.randint(210, 1095))
            due_at = start.replace(day=day, hour=9, minute=0, second=0, microsecond=0)
            rrule = f"FREQ=MONTHLY;BYMONTHDAY={day}"
            occurrences = list(months_between(due_at, NOW, day))
        else:
            due_at = (NOW - timedelta(days=rng.randint(-60, 730))).replace(
                minute=0, second=0, microsecond=0
            )
            rrule = None
            occurrences = [due_at] if due_at <= NOW else []
        for when in occurrences:
            if rng.random() >= MISS:
                delivery_id += 1
                deliveries.append((delivery_id, cid, when - timedelta(hours=rng.randint(0, 40))))
        commitments.append((cid, rng.randint(1, CUSTOMERS), owner, due_at, rrule, grace))
    return commitments, deliveries


def ts(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime(FMT)


def build_sqlite(path: Path, commitments: list[Any], deliveries: list[Any]) -> None:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    db = sqlite3.connect(path)
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
    progress(f"inserting {len(commitments):,} commitments")
    db.executemany(
        "INSERT INTO commitments (id, customer_id, owner_id, title, kind, manner, due_at, rrule,"
        " grace_hours, value, currency, status, created_at, updated_at, next_due_at,"
        " next_check_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, 200, 'EUR', 'active', ?, ?, ?, ?)",
        (
            (
                cid,
                cust,
                owner,
                "Mesačný report" if rrule else "Dodávka",
                "recurring_service" if rrule else "deliverable",
                ts(due),
                rrule,
                grace,
                created,
                created,
                ts(due),
                ts(due + timedelta(hours=grace)),
            )
            for cid, cust, owner, due, rrule, grace in commitments
        ),
    )
    progress(f"inserting {len(deliveries):,} deliveries")
    db.executemany(
        "INSERT INTO deliveries (id, commitment_id, delivered_at, note, created_at)"
        " VALUES (?, ?, ?, '', ?)",
        ((did, cid, ts(at), created) for did, cid, at in deliveries),
    )
    db.commit()
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def build_postgres(url: str, commitments: list[Any], deliveries: list[Any]) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        created = NOW - timedelta(days=1200)
        copies: list[tuple[str, Iterator[tuple[Any, ...]]]] = [
            (
                "users (id, email, name, role, language, active, created_at)",
                iter(
                    [(1, "owner@bench.example", "Owner", "owner", "en", True, created)]
                    + [
                        (i, f"agent{i}@bench.example", f"Agent {i}", "agent", "en", True, created)
                        for i in range(2, AGENTS + 2)
                    ]
                ),
            ),
            (
                "customers (id, name, language, timezone, currency, recurring_value, tier, status,"
                " is_lead, notes, created_at, updated_at)",
                (
                    (
                        i,
                        f"Zákazník {i}",
                        "sk",
                        "Europe/Bratislava",
                        "EUR",
                        200,
                        "standard",
                        "active",
                        False,
                        "",
                        created,
                        created,
                    )
                    for i in range(1, CUSTOMERS + 1)
                ),
            ),
            (
                "commitments (id, customer_id, owner_id, title, kind, manner, due_at, rrule,"
                " grace_hours, value, currency, status, created_at, updated_at, next_due_at,"
                " next_check_at)",
                (
                    (
                        cid,
                        cust,
                        owner,
                        "Mesačný report" if rrule else "Dodávka",
                        "recurring_service" if rrule else "deliverable",
                        "",
                        due,
                        rrule,
                        grace,
                        200,
                        "EUR",
                        "active",
                        created,
                        created,
                        due,
                        due + timedelta(hours=grace),
                    )
                    for cid, cust, owner, due, rrule, grace in commitments
                ),
            ),
            (
                "deliveries (id, commitment_id, delivered_at, note, created_at)",
                ((did, cid, at, "", created) for did, cid, at in deliveries),
            ),
        ]
        for target, records in copies:
            progress(f"COPY {target.split(' ')[0]}")
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:  # type: ignore[attr-defined]
                for record in records:
                    copy.write_row(record)
        for table in ("users", "customers", "commitments", "deliveries"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    engine.dispose()


def measure(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    book = playbooks.parse(playbooks.DEFAULT_PATH.read_text(), workspace_timezone="UTC")
    started = time.perf_counter()
    with transaction(sessions) as s:
        cold = ledger.sweep(s, now=NOW, playbook=book)
    cold_seconds = time.perf_counter() - started
    idle = []
    for _ in range(3):
        started = time.perf_counter()
        with transaction(sessions) as s:
            again = ledger.sweep(s, now=NOW + timedelta(seconds=30), playbook=book)
        idle.append(time.perf_counter() - started)
        assert again.breaches_opened == 0
    started = time.perf_counter()
    with transaction(sessions) as s:
        next_day = ledger.sweep(s, now=NOW + timedelta(days=1), playbook=book)
    day_seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "cold_full_sweep_seconds": round(cold_seconds, 2),
        "cold_commitments_checked": cold.commitments_checked,
        "cold_breaches": cold.breaches_opened,
        "cold_cases_opened": len(cold.cases_opened),
        "nothing_new_due_seconds": round(min(idle), 4),
        "next_day_sweep_seconds": round(day_seconds, 2),
        "next_day_commitments_checked": next_day.commitments_checked,
        "next_day_breaches": next_day.breaches_opened,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commitments", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="PostgreSQL URL to measure there too")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    commitments, deliveries = generate(args.commitments)
    progress(
        f"generated {len(commitments):,} commitments and {len(deliveries):,} deliveries "
        f"in {time.perf_counter() - started:.0f} s"
    )
    home = OUT / f"sweep-{args.commitments}"
    template = home / "template.db"
    if args.rebuild and home.exists():
        shutil.rmtree(home)
    if not template.exists():
        home.mkdir(parents=True, exist_ok=True)
        build_sqlite(template, commitments, deliveries)
    work = home / "work.db"
    shutil.copyfile(template, work)  # every run starts cold
    progress("sweeping (SQLite)")
    result: dict[str, Any] = {
        "benchmark": "sweep",
        "commitments": len(commitments),
        "recurring_share": round(sum(1 for c in commitments if c[4]) / len(commitments), 3),
        "deliveries": len(deliveries),
        "sqlite": measure(f"sqlite:///{work}"),
        "targets": {"nothing_new_due_seconds": 2, "cold_full_sweep_seconds": 30},
    }
    sqlite = result["sqlite"]
    result["sqlite_ok"] = (
        sqlite["nothing_new_due_seconds"] <= 2 and sqlite["cold_full_sweep_seconds"] <= 30
    )
    if args.postgres:
        admin = make_engine(args.postgres, isolation_level="AUTOCOMMIT")
        name = f"amends_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        try:
            build_postgres(url, commitments, deliveries)
            progress("sweeping (PostgreSQL)")
            result["postgresql"] = measure(url)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    result["peak_rss_mb"] = round(peak_rss_mb())
    emit(result)


if __name__ == "__main__":
    main()
