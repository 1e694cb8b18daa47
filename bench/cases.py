"""Case list by SLA urgency through the HTTP API, and `amends report`, at 1,000,000 cases.

Builds a SQLite workspace with one million cases (reused between runs when present),
serves it with two worker processes and drives an owner's "my open cases, most urgent
first" list with wrk (a real load generator). Targets: p99 <= 50 ms; report <= 1 s.

    python bench/cases.py [--cases N] [--seconds S] [--connections C] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from _common import AMENDS, OUT, emit, progress, server
from amends import migrate
from amends.cases import days
from amends.db import make_engine, make_session_factory, register_sqlite_functions, transaction

OWNERS = 40
CUSTOMERS = 20_000
FMT = "%Y-%m-%d %H:%M:%S.%f"
STATES = [
    "new",
    "acknowledged",
    "owned",
    "remedied",
    "compensated",
    "change_explained",
    "following_up",
    "closed",
]
STATE_WEIGHTS = [3, 3, 4, 4, 3, 2, 2, 79]
CATEGORIES = [
    "missed_commitment",
    "wrong_item",
    "late_delivery",
    "billing",
    "quality",
    "communication",
    "other",
]
SEVERITIES = ["low", "medium", "high", "critical"]
OUTCOMES = ["retained", "retained", "retained", "won_back", "lost", "parted_ways"]
STEPS = ["acknowledge", "own", "remedy", "compensate", "explain-change", "follow-up", "close"]


def ts(value: datetime) -> str:
    return value.strftime(FMT)


def build(path: Path, n_cases: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    rng = random.Random(5)
    now = datetime.now(UTC).replace(tzinfo=None)
    db = sqlite3.connect(path)
    register_sqlite_functions(db)  # the search triggers fold with amends_fold
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    created = ts(now)
    db.executemany(
        "INSERT INTO users (id, email, name, role, language, active, created_at) "
        "VALUES (?, ?, ?, ?, 'en', 1, ?)",
        [(1, "owner@bench.example", "Owner", "owner", created)]
        + [
            (i + 2, f"agent{i}@bench.example", f"Agent {i}", "agent", created)
            for i in range(OWNERS)
        ],
    )
    db.executemany(
        "INSERT INTO customers (id, name, language, timezone, currency, recurring_value, tier, "
        "status, is_lead, notes, created_at, updated_at) VALUES (?, ?, 'en', 'UTC', 'EUR', "
        "200, 'standard', 'active', 0, '', ?, ?)",
        [(i + 1, f"Customer {i}", created, created) for i in range(CUSTOMERS)],
    )
    progress(f"inserting {n_cases:,} cases")
    batch: list[tuple[object, ...]] = []
    for case_id in range(1, n_cases + 1):
        opened = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        state = rng.choices(STATES, STATE_WEIGHTS)[0]
        reached = STATES.index(state)
        steps = STEPS[:reached] if state != "closed" else STEPS
        ack_due = opened + timedelta(hours=1)
        remedy_due = opened + timedelta(hours=8)
        close_due = opened + timedelta(days=5)
        ack_minutes = rng.choice([5, 12, 25, 40, 55, 70, 180]) if reached else None
        acknowledged = opened + timedelta(minutes=ack_minutes) if ack_minutes else None
        closed = state == "closed"
        urgency = (
            None
            if closed
            else min(
                d
                for d in (
                    ack_due if not reached else None,
                    remedy_due if reached < 3 else None,
                    close_due,
                )
                if d is not None
            )
        )
        batch.append(
            (
                case_id,
                rng.randint(1, CUSTOMERS),
                rng.randint(2, OWNERS + 1),
                f"Case {case_id}",
                state,
                rng.choice(SEVERITIES),
                rng.choice(CATEGORIES),
                "complaint",
                rng.choice(OUTCOMES) if closed else None,
                ts(opened),
                ts(acknowledged) if acknowledged else None,
                ts(opened + timedelta(hours=6)) if reached >= 3 else None,
                ts(opened + timedelta(days=3)) if closed else None,
                ts(opened),
                ts(opened),
                ",".join(steps),
                rng.choice([0, 0, 0, 0, 1, 2]),
                ts(ack_due),
                ts(remedy_due),
                ts(close_due),
                "us",
                rng.randint(0, 4),
                rng.random() < 0.6 if reached >= 3 else None,
                ack_minutes,
                ack_minutes <= 60 if ack_minutes is not None else None,
                ts(urgency) if urgency else None,
            )
        )
        if len(batch) == 50_000:
            _insert(db, batch)
            batch.clear()
            progress(f"  {case_id:,} cases")
    _insert(db, batch)
    db.commit()
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _insert(db: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    db.executemany(
        "INSERT INTO cases (id, customer_id, owner_id, title, state, severity, category, origin,"
        " outcome, opened_at, acknowledged_at, resolved_at, closed_at, created_at, updated_at,"
        " steps_done, handoffs, ack_due_at, remedy_due_at, close_due_at, waiting_on,"
        " outbound_count, one_interaction, ack_minutes, ack_within, urgency_at) VALUES (?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


WRK_SCRIPT = """
math.randomseed(42)
request = function()
  local owner = math.random(2, %d)
  return wrk.format("GET", "/api/v1/cases?owner_id=" .. owner .. "&open=true&sort=urgency&limit=50")
end
"""


def check_list(base: str, token: str, owner: int, db_path: Path) -> bool:
    """The API's first page for ``owner`` is that owner's most urgent open cases, in order.

    Compared with the database read directly, so a fast but wrong answer fails.
    """
    response = httpx.get(
        f"{base}/api/v1/cases",
        params={"owner_id": owner, "open": "true", "sort": "urgency", "limit": 50},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    items = response.json()["items"]
    keys = [(c["urgency_at"], c["id"]) for c in items]
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    expected = [
        row[0]
        for row in db.execute(
            "SELECT id FROM cases WHERE owner_id = ? AND state != 'closed'"
            " AND urgency_at IS NOT NULL ORDER BY urgency_at, id LIMIT 50",
            (owner,),
        )
    ]
    db.close()
    return (
        response.status_code == 200
        and len(items) == 50
        and keys == sorted(keys)
        and all(c["owner"]["id"] == owner and c["state"] != "closed" for c in items)
        and [c["id"] for c in items] == expected
    )


def parse_wrk(output: str) -> dict[str, float]:
    result: dict[str, float] = {}
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if match:
            value, unit = float(match.group(1)), match.group(2)
            result[f"p{pct}_ms"] = (
                value / 1000 if unit == "us" else value * (1000 if unit == "s" else 1)
            )
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rps:
        result["requests_per_second"] = float(rps.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = float(errors.group(1)) if errors else 0.0
    return result


def fold_day_counts(env: dict[str, str]) -> float:
    """Fold the workspace's day counts as the worker would; the seconds it took."""
    sessions = make_session_factory(make_engine(env["AMENDS_DATABASE_URL"]))
    started = time.perf_counter()
    with transaction(sessions) as session:
        folded = days.fold(session)
    seconds = round(time.perf_counter() - started, 1)
    if folded:
        progress(f"day counts folded ({folded} days) in {seconds} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/cases.py needs wrk: apt-get install wrk")

    home = OUT / f"cases-{args.cases}"
    db_path = home / "amends.db"
    if args.rebuild and home.exists():
        shutil.rmtree(home)
    if not db_path.exists():
        home.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        build(db_path, args.cases)
        progress(f"built in {time.perf_counter() - started:.0f} s")
    env = {"AMENDS_HOME": str(home), "AMENDS_DATABASE_URL": f"sqlite:///{db_path}"}
    full_env = {**os.environ, **env}
    # What the worker's fold-day-counts job does within a minute of the bulk build: the
    # triggers append each case's day rows, and the report sums them; unfolded, the
    # million cases' two million rows would be timed instead of the report.
    fold_seconds = fold_day_counts(env)
    token = subprocess.run(
        [AMENDS, "tokens", "create", "--user", "owner@bench.example"],
        env=full_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    # amends report: the whole command, start-up included, best of three.
    load_before = os.getloadavg()
    report_runs, report_cpu = [], []
    for _ in range(3):
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([AMENDS, "report", "--json"], env=full_env, check=True, capture_output=True)
        report_runs.append(time.perf_counter() - started)
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU time barely depends on how busy the machine is; wall time does.
        report_cpu.append(
            cpu_after.ru_utime - cpu_before.ru_utime + cpu_after.ru_stime - cpu_before.ru_stime
        )
    from amends.console import open_workspace

    os.environ.update(env)
    ws = open_workspace()
    from amends.people.rules import OPERATOR
    from amends.reports import service as reports

    with ws.transaction() as session:
        started = time.perf_counter()
        reports.recovery_report(session, actor=OPERATOR)
        report_query = time.perf_counter() - started
        # The tallies the report reads must equal a count from scratch over every case.
        started = time.perf_counter()
        tallies_ok = reports.stored_tallies(session) == reports.counted_tallies(session)
        recount = time.perf_counter() - started

    with (
        server(env, "--workers", "2", "--no-worker") as base,
        tempfile.NamedTemporaryFile("w", suffix=".lua") as script,
    ):
        script.write(WRK_SCRIPT % (OWNERS + 1))
        script.flush()
        wrk = [
            "wrk",
            "-t2",
            f"-c{args.connections}",
            "-H",
            f"Authorization: Bearer {token}",
            "--latency",
            "-s",
            script.name,
        ]
        subprocess.run([*wrk, "-d3s", base], check=True, capture_output=True)  # warm-up
        load_list = os.getloadavg()
        run = subprocess.run(
            [*wrk, f"-d{args.seconds}s", base], check=True, capture_output=True, text=True
        )
        load_after = os.getloadavg()
        sorted_ok = all(
            check_list(base, token, owner, db_path) for owner in (2, OWNERS // 2, OWNERS + 1)
        )
    latency = parse_wrk(run.stdout)
    emit(
        {
            "benchmark": "cases",
            "cases": args.cases,
            "owners": OWNERS,
            "engine": "sqlite",
            "server_workers": 2,
            "load_generator": f"wrk -t2 -c{args.connections} -d{args.seconds}s",
            "case_list_by_urgency": latency,
            "case_list_p99_target_ms": 50,
            "case_list_p99_ok": latency.get("p99_ms", 1e9) <= 50 and latency["non_2xx"] == 0,
            "case_list_sorted_and_complete": sorted_ok,
            # 1/5/15-minute load averages; our own server and wrk add about 2 to them.
            "load_average_before_list": [round(x, 2) for x in load_list],
            "load_average_after_list": [round(x, 2) for x in load_after],
            "day_counts_fold_seconds": fold_seconds,
            "report_command_seconds_best": round(min(report_runs), 3),
            "report_command_seconds_median": round(statistics.median(report_runs), 3),
            "report_command_seconds_all": [round(r, 3) for r in report_runs],
            "report_command_cpu_seconds": [round(c, 3) for c in report_cpu],
            "report_query_seconds": round(report_query, 3),
            "report_target_seconds": 1.0,
            "report_ok": min(report_runs) <= 1.0,
            "report_tallies_match_recount": tallies_ok,
            "report_recount_seconds": round(recount, 3),
            "load_average_before_report": [round(x, 2) for x in load_before],
            "cpu_cores": os.cpu_count(),
        }
    )


if __name__ == "__main__":
    main()
