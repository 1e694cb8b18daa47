"""Similar cases from the database: build time, memory, query latency and recall@10.

Targets: 1,000,000 past cases in th/el/sk/en, on SQLite and on PostgreSQL; top-10
similar cases for a new message in <= 20 ms p99; recall@10 >= 0.95 against exact search
over the whole corpus.

Each backend gets a fresh database with the real schema (``amends migrate``: the
triggers that keep ``case_texts`` and its trigram index). Cases and their first inbound
message are loaded with plain INSERTs (SQLite) or COPY (PostgreSQL), so the build time
is the triggers' and the index's own cost. The PostgreSQL database is created for the
run and dropped at its end, unless ``--keep-postgres NAME`` names one to build when
missing and keep (like the SQLite file in bench/out/).

Then the ``index-similar`` job's work is done and timed as ``index``: every case
sketched, the cells fitted, the cases moved into them and the cells packed
(``indexing.keep_up``; on a kept database already indexed, nothing).

Queries are new messages from the same generator, never texts of the corpus. Latency is
wall-clock per ``similar.nearest(text, k=10)`` call through a SQLAlchemy session, as the
API and the CLI make it, reported with the load average (the machine is shared).

Recall@10: for each recall query the exact top 10 are found by applying the one scorer
(``textsim.profile`` and cosine) to the text of every case in the database, read back
from ``case_texts`` (not from the sketches); recall is the share of those the engine
returns (found / expected).
Beside it, ``score_sum_ratio_at_10``: the mean of (sum of scores returned) / (sum of the
exact top-10 scores), 1.0 when near-ties make the engine return other cases as similar
as the exact ones.

    python bench/similar.py [--cases N] [--backend sqlite|postgresql|both]
                            [--postgres URL] [--queries Q] [--recall-queries R] [--rebuild]
                            [--keep-postgres NAME]
"""

from __future__ import annotations

import argparse
import heapq
import os
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The complaint generator is test data shared with the similarity tests; it lives in
# tests/, which is importable from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


import numpy as np
from sqlalchemy import Engine, make_url, text
from tests.patterns.synthetic import ComplaintStream

from _common import OUT, emit, peak_rss_mb, progress
from amends import migrate
from amends.db import make_engine, make_session_factory, register_sqlite_functions, transaction
from amends.patterns import indexing, similar
from amends.patterns.textsim import profile

SEED = 7
BATCH = 20_000
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def corpus_file(cases: int, queries: int) -> Path:
    """The first ``cases`` messages of the stream, then ``queries`` later ones."""
    path = OUT / f"similar-corpus-{cases}-{queries}-seed{SEED}.txt"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    progress(f"generating {cases:,} cases and {queries:,} new messages into {path}")
    stream = ComplaintStream(SEED)
    seen: set[int] = set()
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(cases):
            line = next(stream).replace("\n", " ")
            seen.add(hash(line))
            out.write(line + "\n")
            if i and i % 100_000 == 0:
                progress(f"  {i:,}")
        written = 0
        while written < queries:
            line = next(stream).replace("\n", " ")
            if hash(line) in seen:
                continue  # a query must be a new message, not one already indexed
            out.write(line + "\n")
            written += 1
    tmp.replace(path)
    return path


def read_lines(path: Path, start: int, stop: int) -> Iterator[str]:
    with path.open(encoding="utf-8") as src:
        for i, line in enumerate(src):
            if i >= stop:
                return
            if i >= start:
                yield line.rstrip("\n")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
CASE_COLUMNS = (
    "id, customer_id, owner_id, title, state, severity, category, origin, opened_at,"
    " created_at, updated_at, steps_done, handoffs, waiting_on, outbound_count"
)
MESSAGE_COLUMNS = (
    "id, case_id, direction, channel, language, subject, text, is_draft, at, created_at"
)


def _case_row(case_id: int, at: Any) -> tuple[Any, ...]:
    return (case_id, 1, 1, "Complaint", "new", "medium", "other", "complaint", at, at, at, "",
            0, "us", 0)  # fmt: skip


def _message_row(case_id: int, body: str, at: Any, draft: Any) -> tuple[Any, ...]:
    return (case_id, case_id, "inbound", "email", "und", "", body, draft, at, at)


def _seed_people(run: Any, at: Any, active: Any) -> None:
    run(
        "INSERT INTO users (id, email, name, role, language, active, created_at) VALUES"
        f" (1, 'owner@bench.example', 'Owner', 'owner', 'en', {active}, {at})"
    )
    run(
        "INSERT INTO customers (id, name, language, timezone, currency, recurring_value, tier,"
        " status, is_lead, notes, created_at, updated_at) VALUES (1, 'Customer', 'en', 'UTC',"
        f" 'EUR', 200, 'standard', 'active', {'false' if active == 'true' else 0}, '', {at},"
        f" {at})"
    )


def build_sqlite(path: Path, corpus: Path, cases: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    db = sqlite3.connect(path)
    register_sqlite_functions(db)  # the search triggers fold with amends_fold
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    at = "2026-11-30 12:00:00.000000"
    _seed_people(db.execute, f"'{at}'", "1")
    rows: list[tuple[int, str]] = []

    def flush() -> None:
        db.executemany(
            f"INSERT INTO cases ({CASE_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            [_case_row(cid, at) for cid, _ in rows],
        )
        db.executemany(
            f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({', '.join('?' * 10)})",
            [_message_row(cid, body, at, 0) for cid, body in rows],
        )
        db.commit()  # per chunk, as bulk imports commit

    for i, body in enumerate(read_lines(corpus, 0, cases), start=1):
        rows.append((i, body))
        if len(rows) == BATCH:
            flush()
            rows.clear()
            if i % 100_000 == 0:
                progress(f"  {i:,} cases")
    if rows:
        flush()
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def build_postgresql(url: str, corpus: Path, cases: int) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        _seed_people(lambda sql: conn.execute(text(sql)), "now()", "true")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()  # type: ignore[attr-defined]
        rows: list[tuple[int, str]] = []

        def flush() -> None:
            with cur.copy(f"COPY cases ({CASE_COLUMNS}) FROM STDIN") as copy:
                for cid, _ in rows:
                    copy.write_row(_case_row(cid, NOW))
            with cur.copy(f"COPY messages ({MESSAGE_COLUMNS}) FROM STDIN") as copy:
                for cid, body in rows:
                    copy.write_row(_message_row(cid, body, NOW, False))
            raw.commit()

        for i, body in enumerate(read_lines(corpus, 0, cases), start=1):
            rows.append((i, body))
            if len(rows) == BATCH:
                flush()
                rows.clear()
                if i % 100_000 == 0:
                    progress(f"  {i:,} cases")
        if rows:
            flush()
        for table in ("cases", "messages"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {cases + 1})")
        cur.execute("ANALYZE case_texts")
        cur.execute("ANALYZE cases")
        raw.commit()
    finally:
        raw.close()
    engine.dispose()


def index(engine: Engine, backend: str) -> dict[str, Any]:
    """What the index-similar job does after a bulk load: sketch every case, fit the
    cells, move the cases into them (nothing when a kept database is up to date)."""
    sessions = make_session_factory(engine)
    load_before = load_average()
    started = time.perf_counter()
    last = [0.0]

    def told(line: str) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            progress(f"{backend}: {line}")

    done = indexing.keep_up(
        lambda: transaction(sessions), now=lambda: datetime.now(UTC), progress=told
    )
    if backend == "postgresql" and (done["sketched"] or done["packed"]):
        # What autovacuum does after so many new rows, at once: PostgreSQL reads a
        # cell's rows from its index alone only once the pages are marked all-visible,
        # and the emptied queue's index would still be walked over its million deleted
        # entries (5 ms a query).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                text(
                    "VACUUM (ANALYZE) case_cells, case_sketches, similar_pending,"
                    " cell_packs, cell_unpacked"
                )
            )
    return {
        **done,
        "seconds": round(time.perf_counter() - started, 1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "peak_rss_mb_of_this_process": round(peak_rss_mb(), 1),
    }


def latencies(engine: Engine, queries: list[str]) -> dict[str, Any]:
    sessions = make_session_factory(engine)
    with sessions() as session:
        for query in queries[:20]:  # connection, statement caches
            similar.nearest(session, query, k=10)
        load_before = load_average()
        wall = []
        for query in queries:
            started = time.perf_counter()
            similar.nearest(session, query, k=10)
            wall.append(time.perf_counter() - started)
    ms = np.array(wall) * 1000
    return {
        "queries": len(queries),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p90_ms": round(float(np.percentile(ms, 90)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(ms.max()), 2),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def exact_top10(engine: Engine, queries: list[str]) -> list[list[tuple[int, float]]]:
    """The one scorer applied to every case text in the database, for each query."""
    wanted = [profile(q) for q in queries]
    vocabulary: dict[str, int] = {}
    for p in wanted:
        for gram in p:
            vocabulary.setdefault(gram, len(vocabulary))
    matrix = np.zeros((len(vocabulary), len(queries)), np.float64)
    for column, p in enumerate(wanted):
        for gram, weight in p.items():
            matrix[vocabulary[gram], column] = weight
    # Per query, a heap of (score, -id): the 10 best, ties by the lower id.
    best: list[list[tuple[float, int]]] = [[] for _ in queries]
    done = 0
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(
            text("SELECT case_id, body FROM case_texts ORDER BY case_id")
        )
        for chunk in result.partitions(5000):
            ids: list[int] = []
            rows: list[int] = []
            cols: list[int] = []
            weights: list[float] = []
            for cid, body in chunk:
                if not similar.comparable(body):
                    continue
                row = len(ids)
                ids.append(cid)
                for gram, weight in profile(body).items():
                    col = vocabulary.get(gram)
                    if col is not None:
                        rows.append(row)
                        cols.append(col)
                        weights.append(weight)
            dense = np.zeros((len(ids), len(vocabulary)), np.float64)
            np.add.at(dense, (np.array(rows, np.int64), np.array(cols, np.int64)), weights)
            scores = dense @ matrix
            for q in range(len(queries)):
                column = scores[:, q]
                top = np.argpartition(-column, min(10, len(ids) - 1))[:10] if ids else []
                for r in top:
                    if column[r] > 0:
                        item = (float(column[r]), -ids[r])
                        if len(best[q]) < 10:
                            heapq.heappush(best[q], item)
                        elif item > best[q][0]:
                            heapq.heapreplace(best[q], item)
            done += len(chunk)
            if done % 200_000 < 5000:
                progress(f"  exact search: {done:,} cases scored")
    return [[(-negid, score) for score, negid in sorted(h, reverse=True)] for h in best]


def recall(engine: Engine, queries: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    exact = exact_top10(engine, queries)
    exact_seconds = time.perf_counter() - started
    sessions = make_session_factory(engine)
    found = total = 0
    ratios = []
    with sessions() as session:
        for query, truth in zip(queries, exact, strict=True):
            got = similar.nearest(session, query, k=10)
            found += len({c for c, _ in truth} & {c for c, _ in got})
            total += len(truth)
            if truth:
                ratios.append(sum(s for _, s in got) / sum(s for _, s in truth))
    return {
        "recall_at_10": round(found / total, 4) if total else None,
        "score_sum_ratio_at_10": round(float(np.mean(ratios)), 4) if ratios else None,
        "queries": len(queries),
        "exact_search_seconds": round(exact_seconds, 1),
        "load_average": load_average(),
    }


def run_backend(
    backend: str, args: argparse.Namespace, corpus: Path, queries: list[str], recall_q: list[str]
) -> dict[str, Any]:
    result: dict[str, Any] = {"backend": backend, "cases": args.cases}
    admin: Engine | None = None
    name = ""
    if backend == "sqlite":
        path = OUT / f"similar-{args.cases}.db"
        url = f"sqlite:///{path}"
        fresh = args.rebuild or not path.exists()
    else:
        admin_url = make_url(args.postgres)
        admin = make_engine(
            admin_url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
        )
        name = args.keep_postgres or f"amends_bench_similar_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            fresh = not conn.scalar(
                text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if fresh:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        if fresh:
            progress(f"{backend}: loading {args.cases:,} cases (load {load_average()})")
            load_before = load_average()
            started = time.perf_counter()
            if backend == "sqlite":
                build_sqlite(path, corpus, args.cases)
            else:
                build_postgresql(url, corpus, args.cases)
            result["build"] = {
                "seconds": round(time.perf_counter() - started, 1),
                "load_average_before": load_before,
                "load_average_after": load_average(),
                "peak_rss_mb_of_this_process": round(peak_rss_mb(), 1),
            }
            progress(f"{backend}: built {result['build']}")
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)  # a kept database built under an earlier schema
            result["index"] = index(engine, backend)
            with engine.connect() as conn:
                if backend == "sqlite":
                    result["database_mb"] = round(path.stat().st_size / 2**20, 1)
                else:
                    size = conn.execute(text("SELECT pg_database_size(current_database())"))
                    result["database_mb"] = round(int(size.scalar_one()) / 2**20, 1)
            progress(f"{backend}: timing {len(queries)} queries (load {load_average()})")
            result["query"] = latencies(engine, queries)
            progress(f"{backend}: query {result['query']}")
            if recall_q:
                progress(f"{backend}: recall over {len(recall_q)} queries, exact over all")
                result["recall"] = recall(engine, recall_q)
                progress(f"{backend}: recall {result['recall']}")
        finally:
            engine.dispose()
    finally:
        if admin is not None and not args.keep_postgres:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    result["targets"] = {
        "p99_ms<=20": result["query"]["p99_ms"] <= 20,
        "recall_at_10>=0.95": (result.get("recall", {}).get("recall_at_10") or 0) >= 0.95,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres", default=os.environ.get("AMENDS_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--recall-queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the SQLite database")
    parser.add_argument(
        "--keep-postgres",
        metavar="NAME",
        default="",
        help="use (and keep) this PostgreSQL database; it is built only when missing",
    )
    args = parser.parse_args()
    if args.backend != "sqlite" and not args.postgres:
        args.postgres = DEFAULT_POSTGRES
    corpus = corpus_file(args.cases, max(args.queries, args.recall_queries))
    new = list(read_lines(corpus, args.cases, args.cases + 10 * args.queries))
    queries, recall_q = new[: args.queries], new[: args.recall_queries]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [run_backend(b, args, corpus, queries, recall_q) for b in backends]
    emit(
        {
            "benchmark": "similar",
            "cases": args.cases,
            "cases_read_per_query": similar.READ_CASES,
            "results": results,
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    )


if __name__ == "__main__":
    main()
