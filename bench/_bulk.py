"""A large workspace written straight into the tables, for the page benchmarks (not a
benchmark itself).

The rows are those the application writes for a complaint that came in by mail and was
worked through the playbook: users, customers in th/el/sk/en with one contact each,
cases (clocks, urgency, steps done, counters as ``cases.clocks`` keeps them), three
messages a case (the complaint, our reply, the customer's answer), and the timeline
(opened, each message, each step). What triggers derive from them (``case_texts`` and
its trigram index, the search indexes, ``case_tallies``, ``case_day_counts`` and the
customers' first case and recovery, ``category_hits``) comes out as the triggers make it,
and the word index (``case_words``) as ``cases.words`` writes it:

- PostgreSQL: the tables are filled with COPY while triggers and secondary indexes are
  off (``session_replication_role = replica``, indexes dropped and made again after),
  then the derived tables are written in one statement each, with the SQL of the
  migrations that define them (s008's case text, c008's ``case_tally_rows`` view,
  d029's and e030's fills).
  A trigger per row and an index entry per row would cost hours at a million cases.
- SQLite: plain INSERTs in large transactions, so every trigger runs as it does for
  real mail (the FTS5 tables have no faster way in); ``amends_fold`` is registered on
  the connection as the application registers it.

Both engines get the same rows from the same seed.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import random
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.patterns.synthetic import ComplaintStream

from _common import progress
from amends.db import register_sqlite_functions
from amends.people.service import hash_password
from amends.text.indexfold import index_fold
from amends.text.words import index_words

PASSWORD = "bench password, not a secret"
OWNERS = 40
LANGUAGES = ("th", "el", "sk", "en")
# Distinct complaint texts generated; messages reuse them (generating costs more than
# writing, and a repeated text still puts every word in the indexes).
POOL = 100_000
STATES = ["new", "acknowledged", "owned", "remedied", "compensated", "change_explained",
          "following_up", "closed"]  # fmt: skip
STATE_WEIGHTS = [3, 3, 4, 4, 3, 2, 2, 79]
CATEGORIES = ["missed_commitment", "wrong_item", "late_delivery", "billing", "quality",
              "communication", "other"]  # fmt: skip
SEVERITIES = ["low", "medium", "high", "critical"]
OUTCOMES = ["retained", "retained", "retained", "won_back", "lost", "parted_ways"]
STEPS = ["acknowledge", "own", "remedy", "compensate", "explain-change", "follow-up", "close"]
REPLIES = {
    "en": "We are sorry: we let you down. I am on it personally and will write by tomorrow.",
    "th": "ขออภัยเป็นอย่างยิ่งครับ ความผิดพลาดครั้งนี้เป็นของเรา ผมจะดูแลเรื่องนี้เองและแจ้งกลับภายในพรุ่งนี้",
    "sk": "Ospravedlňujeme sa, sklamali sme vás. Osobne sa tomu venujem a zajtra sa ozvem.",
    "el": "Λυπούμαστε, σας απογοητεύσαμε. Το αναλαμβάνω προσωπικά και θα σας γράψω αύριο.",
}
NAMES = {
    "en": ["Harbour Bakery", "Northwind Studio", "Maple Dental", "Blue Fern Yoga"],
    "th": ["ร้านกาแฟสมใจ", "บ้านขนมไทย", "สปาสบายดี", "ร้านดอกไม้มะลิ"],
    "sk": ["Pekáreň U Nováka", "Kaviareň Hviezda", "Zubná ambulancia Žilina", "Kvetinárstvo Ruža"],
    "el": ["Ταβέρνα Ο Νίκος", "Φούρνος Η Αθηνά", "Οδοντιατρείο Πειραιά", "Ανθοπωλείο Κρίνος"],
}
AGENT_LANGUAGES = ("en", "th", "sk", "el")

# Tables that keep their folded text (migrations x023, g032): where in COLUMNS the
# texts it folds are, joined by a space.
FOLDED = {"messages": (6, 7), "customers": (1,), "contacts": (2, 3)}

COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("id", "email", "name", "role", "language", "password_hash", "active",
              "created_at"),
    "customers": ("id", "name", "language", "timezone", "currency", "recurring_value", "tier",
                  "status", "is_lead", "notes", "created_at", "updated_at"),
    "contacts": ("id", "customer_id", "name", "email", "is_primary"),
    "cases": ("id", "customer_id", "owner_id", "title", "state", "severity", "category",
              "origin", "outcome", "opened_at", "acknowledged_at", "resolved_at", "closed_at",
              "created_at", "updated_at", "steps_done", "handoffs", "ack_due_at",
              "remedy_due_at", "close_due_at", "waiting_on", "waiting_since",
              "first_response_at", "last_inbound_at", "last_outbound_at", "outbound_count",
              "one_interaction", "ack_minutes", "ack_within", "remedy_within", "close_within",
              "urgency_at"),
    "messages": ("id", "case_id", "customer_id", "direction", "channel", "language",
                 "subject", "text", "from_address", "to_address", "message_key", "author_id",
                 "is_draft", "at", "created_at"),
    "timeline_events": ("id", "case_id", "at", "actor_id", "kind", "note", "data"),
}  # fmt: skip
ORDER = tuple(COLUMNS)


def customers_for(n_cases: int) -> int:
    return max(200, n_cases // 50)


def language_of(text: str) -> str:
    if any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        return "th"
    if any("\u0370" <= ch <= "\u03ff" for ch in text):
        return "el"
    return "sk" if re.search("[áäčďéíĺľňóôŕšťúýž]", text.lower()) else "en"


class Corpus:
    """The rows of a workspace of ``n_cases`` cases, table by table, from a fixed seed.

    Times are aware UTC datetimes; each writer turns them into what its engine stores.
    """

    def __init__(self, n_cases: int, *, now: datetime | None = None) -> None:
        self.n_cases = n_cases
        self.n_customers = customers_for(n_cases)
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        progress(f"generating {min(POOL, max(1000, n_cases)):,} complaint texts")
        stream = ComplaintStream(11)
        self.texts = [next(stream).replace("\n", " ") for _ in range(min(POOL, max(1000, n_cases)))]
        self.languages = [language_of(t) for t in self.texts]

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        return getattr(self, "_" + table)()  # type: ignore[no-any-return]

    def _users(self) -> Iterator[tuple[Any, ...]]:
        password = hash_password(PASSWORD)
        yield (1, "owner@bench.example", "Owner", "owner", "en", password, True, self.now)
        for i in range(OWNERS):
            language = AGENT_LANGUAGES[i % 4]
            yield (i + 2, f"agent{i}@bench.example", f"Agent {i}", "agent", language, password,
                   True, self.now)  # fmt: skip

    def _customer_language(self, customer_id: int) -> str:
        return LANGUAGES[customer_id % 4]

    def _customers(self) -> Iterator[tuple[Any, ...]]:
        since = self.now - timedelta(days=800)
        for i in range(1, self.n_customers + 1):
            language = self._customer_language(i)
            name = f"{NAMES[language][i // 4 % 4]} {i}"
            yield (i, name, language, "UTC", "EUR", "200", "standard", "active", False, "",
                   since, since)  # fmt: skip

    def _contacts(self) -> Iterator[tuple[Any, ...]]:
        for i in range(1, self.n_customers + 1):
            yield (i, i, f"Contact {i}", f"contact{i}@customer{i}.example", True)

    def _text_of(self, case_id: int, customer_id: int, which: int) -> str:
        # A customer writes in their own language: pick a text of that language near a
        # pseudo-random spot of the pool.
        language = self._customer_language(customer_id)
        at = (case_id * (7919 if which == 0 else 104729)) % len(self.texts)
        for step in range(len(self.texts)):
            j = (at + step) % len(self.texts)
            if self.languages[j] == language:
                return self.texts[j]
        return self.texts[at]

    def _cases_raw(self) -> Iterator[dict[str, Any]]:
        """Each case with what its messages and timeline need."""
        rng = random.Random(5)
        now = self.now
        for case_id in range(1, self.n_cases + 1):
            customer_id = rng.randint(1, self.n_customers)
            owner_id = rng.randint(2, OWNERS + 1)
            opened = now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60))
            state = rng.choices(STATES, STATE_WEIGHTS)[0]
            reached = STATES.index(state)
            closed = state == "closed"
            steps = STEPS if closed else STEPS[:reached]
            ack_due = opened + timedelta(hours=1)
            remedy_due = opened + timedelta(hours=8)
            close_due = opened + timedelta(days=5)
            ack_minutes = rng.choice([5, 12, 25, 40, 55, 70, 180]) if reached else None
            acknowledged = opened + timedelta(minutes=ack_minutes) if ack_minutes else None
            resolved = opened + timedelta(hours=6) if reached >= 3 else None
            closed_at = opened + timedelta(days=3) if closed else None
            pending = [
                d
                for d in (
                    ack_due if not reached else None,
                    remedy_due if reached < 3 else None,
                    close_due,
                )
                if d is not None
            ]
            urgency = None if closed else min(pending)
            first = self._text_of(case_id, customer_id, 0)
            second = self._text_of(case_id, customer_id, 1)
            replied = acknowledged or opened + timedelta(minutes=30)
            answered = replied + timedelta(hours=2)
            last = closed_at or resolved or acknowledged or opened
            yield {
                "id": case_id,
                "customer_id": customer_id,
                "owner_id": owner_id,
                "language": self._customer_language(customer_id),
                "title": first[:80].rsplit(" ", 1)[0] if " " in first[:80] else first[:80],
                "first": first,
                "second": second,
                "state": state,
                "steps": steps,
                "opened": opened,
                "acknowledged": acknowledged,
                "resolved": resolved,
                "closed": closed_at,
                "replied": replied,
                "answered": answered,
                "updated": max(last, answered),
                "row": (
                    case_id, customer_id, owner_id, None, state, rng.choice(SEVERITIES),
                    rng.choice(CATEGORIES), "complaint", rng.choice(OUTCOMES) if closed else None,
                    opened, acknowledged, resolved, closed_at, opened, None, ",".join(steps),
                    0, ack_due, remedy_due, close_due, "us", None,
                    replied, answered, replied, 1,
                    rng.random() < 0.6 if reached >= 3 else None, ack_minutes,
                    ack_minutes <= 60 if ack_minutes is not None else None,
                    (resolved <= remedy_due) if resolved else None,
                    (closed_at <= close_due) if closed_at else None,
                    urgency,
                ),
            }  # fmt: skip

    def _cases(self) -> Iterator[tuple[Any, ...]]:
        for c in self._cases_raw():
            row = list(c["row"])
            row[3] = c["title"]
            row[14] = c["updated"]
            yield tuple(row)

    def _messages(self) -> Iterator[tuple[Any, ...]]:
        message_id = 0
        for c in self._cases_raw():
            contact = f"contact{c['customer_id']}@customer{c['customer_id']}.example"
            subject = c["title"]
            language = c["language"]
            for direction, text, at, subj in (
                ("inbound", c["first"], c["opened"], subject),
                ("outbound", REPLIES[language], c["replied"], "Re: " + subject),
                ("inbound", c["second"], c["answered"], "Re: " + subject),
            ):
                message_id += 1
                inbound = direction == "inbound"
                yield (
                    message_id, c["id"], c["customer_id"], direction, "email", language, subj,
                    text, contact if inbound else "care@bench.example",
                    "care@bench.example" if inbound else contact,
                    f"{message_id}@mail.bench.example" if inbound else None,
                    None if inbound else c["owner_id"], False, at, at,
                )  # fmt: skip

    def case_words(self) -> Iterator[tuple[str, int]]:
        """The rows cases.words writes: each word of each case (its title, its messages'
        subjects and texts), once."""
        cut: dict[str, frozenset[str]] = {}

        def words(text: str) -> frozenset[str]:
            found = cut.get(text)
            if found is None:
                found = cut[text] = frozenset(index_words(text))
            return found

        for c in self._cases_raw():
            found = words(c["title"]) | words("Re: " + c["title"]) | words(c["first"])
            found |= words(c["second"]) | words(REPLIES[c["language"]])
            for word in found:
                yield word, c["id"]

    def _timeline_events(self) -> Iterator[tuple[Any, ...]]:
        event_id = 0
        message_id = 0
        for c in self._cases_raw():
            events: list[tuple[datetime, int | None, str, dict[str, Any]]] = []
            events.append(
                (c["opened"], None, "opened",
                 {"owner_id": c["owner_id"], "origin": "complaint", "severity": c["row"][5]})
            )  # fmt: skip
            for direction, at in (
                ("inbound", c["opened"]),
                ("outbound", c["replied"]),
                ("inbound", c["answered"]),
            ):
                message_id += 1
                events.append(
                    (at, c["owner_id"] if direction == "outbound" else None,
                     f"message_{direction}",
                     {"message_id": message_id, "channel": "email", "language": c["language"]})
                )  # fmt: skip
            step_at = {
                "acknowledge": c["acknowledged"],
                "remedy": c["resolved"],
                "close": c["closed"],
            }
            for n, step in enumerate(c["steps"]):
                at = step_at.get(step) or (c["acknowledged"] or c["opened"]) + timedelta(
                    hours=n + 1
                )
                outcome = c["row"][8] if step == "close" else None
                events.append(
                    (at, c["owner_id"], "step",
                     {"step": step, "message_id": None, "outcome": outcome})
                )  # fmt: skip
            events.sort(key=lambda e: e[0])
            for at, actor, kind, data in events:
                event_id += 1
                yield (event_id, c["id"], at, actor, kind, "", json.dumps(data))


# --- PostgreSQL ---------------------------------------------------------------------


def _migration(name: str) -> ModuleType:
    path = next((Path(__file__).parent.parent / "src/amends/migrations/versions").glob(name))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_postgresql(url: str, corpus: Corpus) -> None:
    """Fill the migrated, empty database at ``url`` (a psycopg conninfo)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SET maintenance_work_mem = '1GB'")
        db.execute("SET max_parallel_maintenance_workers = 2")
        # Off: triggers (the derived tables are written below) and foreign-key checks
        # (every row refers to one written before it, from the same generator).
        db.execute("SET session_replication_role = replica")
        derived_tables = ("case_texts", "case_tallies", "case_day_counts", "category_hits")
        tables = (*ORDER, *derived_tables, "case_words")
        indexes = db.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public'"
            " AND i.tablename = ANY(%s) AND i.indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
            (list(tables),),
        ).fetchall()
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        for table in ORDER:
            progress(f"COPY {table}")
            columns = COLUMNS[table]
            # What the x023 and g032 triggers would write: the folded text, by the same
            # table, of the columns at these places of the row.
            folds = FOLDED.get(table)
            if folds is not None:
                columns = (*columns, "folded")
            n = 0
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with db.transaction(), db.cursor() as cur, cur.copy(statement) as copy:
                for row in corpus.rows(table):
                    if folds is not None:
                        text = index_fold(" ".join(row[i] or "" for i in folds))
                        row = (*row, text if table == "messages" else text.lower())
                    copy.write_row(row)
                    n += 1
                    if n % 500_000 == 0:
                        progress(f"  {table}: {n:,}")
            progress(f"  {table}: {n:,} rows")
        _copy_case_words(db, corpus)
        for table in ORDER:
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        # The derived tables last but for their own indexes: s008's text of a case reads
        # the case's first inbound messages through ix_messages_case_direction.
        derived = [(n, d) for n, d in indexes if " ON public.case_texts " in d]
        # The messages' trigram index is the longest single step: it is built on a
        # second connection while this one writes the derived tables.
        slow = [(n, d) for n, d in indexes if n == "ix_search_messages"]
        for name, definition in indexes:
            if (name, definition) not in derived + slow:
                progress(f"index {name}")
                db.execute(definition)
        side = threading.Thread(target=_build_indexes, args=(url, slow))
        side.start()
        s008 = _migration("*_case_texts_similar.py")
        progress("case_texts (s008's text of each case)")
        db.execute(
            "INSERT INTO case_texts (case_id, body)"
            f" SELECT id, {s008._body('cases.id', 'postgresql')} FROM cases"
        )
        # What j035's triggers on case_texts would queue: every case, for the
        # index-similar job to sketch.
        db.execute("INSERT INTO similar_pending (case_id) SELECT case_id FROM case_texts")
        progress("case_tallies (c008's case_tally_rows, summed)")
        db.execute(
            "INSERT INTO case_tallies (owner_id, category, metric, value, n)"
            " SELECT owner_id, category, metric, value, sum(n) FROM case_tally_rows"
            " GROUP BY owner_id, category, metric, value"
        )
        progress("case_day_counts and the customers' dates (d029's fill)")
        for statement in _migration("*_dashboard_day_counts.py").fill():
            db.execute(statement)
        progress("category_hits (e030's fill)")
        db.execute(_migration("*_category_hits.py").FILL)
        _build_indexes(url, derived)
        side.join()
        progress("VACUUM ANALYZE")
        db.execute("SET session_replication_role = origin")
        db.execute("VACUUM ANALYZE")


def _copy_case_words(db: Any, corpus: Corpus) -> None:
    """The word index (f031), copied without its key, which is built after by a sort:
    tens of millions of rows inserted into the key's B-tree in case order would each
    land on a random page."""
    progress("COPY case_words")
    db.execute("ALTER TABLE case_words DROP CONSTRAINT pk_case_words")
    n = 0
    statement = "COPY case_words (word, case_id) FROM STDIN"
    with db.transaction(), db.cursor() as cur, cur.copy(statement) as copy:
        for row in corpus.case_words():
            copy.write_row(row)
            n += 1
            if n % 10_000_000 == 0:
                progress(f"  case_words: {n:,}")
    progress(f"  case_words: {n:,} rows")
    started = time.perf_counter()
    db.execute("ALTER TABLE case_words ADD CONSTRAINT pk_case_words PRIMARY KEY (word, case_id)")
    progress(f"index pk_case_words: {time.perf_counter() - started:.0f} s")


def _build_indexes(url: str, indexes: list[tuple[str, str]]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            started = time.perf_counter()
            db.execute(definition)
            progress(f"index {name}: {time.perf_counter() - started:.0f} s")


# --- SQLite -------------------------------------------------------------------------

# Rows per transaction: FTS5 writes grow slower the more one transaction holds.
SQLITE_CHUNK = 30_000


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


def write_sqlite(path: Path, corpus: Corpus) -> None:
    """Fill the migrated, empty SQLite database at ``path``; every trigger runs."""
    db = sqlite3.connect(path)
    register_sqlite_functions(db)  # the search triggers fold with amends_fold
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    for table in ORDER:
        progress(f"INSERT {table}")
        columns = COLUMNS[table]
        insert = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )
        batch: list[tuple[Any, ...]] = []
        n = 0
        for row in corpus.rows(table):
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) == SQLITE_CHUNK:
                db.executemany(insert, batch)
                db.commit()
                n += len(batch)
                batch.clear()
                if n % 300_000 == 0:
                    progress(f"  {table}: {n:,}")
        db.executemany(insert, batch)
        db.commit()
        progress(f"  {table}: {n + len(batch):,} rows")
    progress("INSERT case_words")
    rows = corpus.case_words()
    while batch := list(itertools.islice(rows, SQLITE_CHUNK)):
        db.executemany("INSERT INTO case_words (word, case_id) VALUES (?, ?)", batch)
        db.commit()
    # The triggers appended each case's day counts; summed once here, as the fold job
    # would over its first minutes.
    progress("case_day_counts folded (d029's fill)")
    for statement in _migration("*_dashboard_day_counts.py").fill():
        db.execute(statement)
    db.commit()
    progress("ANALYZE")
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
