"""The sweep's judging at ledger scale: one-off promises in SQL, recurring ones from raw rows.

A cold sweep (a ledger never swept, or a long outage) has every commitment past a
deadline. Loading each as an ORM object and grading every occurrence would cost far more
than the judging itself, so this module only does the work that can produce a breach:

- a one-off promise is missed exactly when it has no delivery at all (any delivery
  fulfils it, late or not), so one ``INSERT ... SELECT`` with an anti-join against
  deliveries records its breaches, and one ``UPDATE`` closes its bookmark;
- a recurring promise is read as a plain row with its delivery times aggregated into
  one column, its due times are expanded and the fulfilled prefix counted
  (:func:`occurrences.fill`); every due time after that prefix whose deadline has
  passed and was not judged before is a breach.

Both halves claim what they judge with a compare-and-set on ``next_check_at`` and insert
breaches with ``ON CONFLICT DO NOTHING`` (unique per occurrence), so two sweepers at once
record each miss once and only the one that inserted a breach opens its case.
(Service layer: executes and flushes, never commits.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from amends.commitments.models import Breach, Commitment, Delivery
from amends.commitments.occurrences import TextSchedule, fill, utc_text
from amends.commitments.rules import CommitmentStatus

# (id, next_check_at as read, checked_through, next_due_at, next_check_at) to write.
Claim = tuple[int, Any, str | None, str | None, str | None]
# How far ahead the sweep looks for a commitment's next deadline.
LOOKAHEAD = timedelta(days=400)
# Rows per claim statement: large enough to amortise a round trip, small enough that a
# rival sweeper waits on few locks at a time.
CLAIM_CHUNK = 20_000

_C: Table = Commitment.__table__  # type: ignore[assignment]
_B: Table = Breach.__table__  # type: ignore[assignment]
_D: Table = Delivery.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Window:
    """The due commitments one transaction judges: ids in (after, upto]; None = no end.

    ``scan`` carries the sweep's choice of :func:`scan_in_rowid_order` to every window.
    """

    after: int = 0
    upto: int | None = None
    scan: bool = False

    def sql(self, prefix: str = "") -> str:
        bounds = [f" AND {prefix}id > :after"] if self.after else []
        if self.upto is not None:
            bounds.append(f" AND {prefix}id <= :upto")
        return "".join(bounds)

    def params(self) -> dict[str, int]:
        found = {"after": self.after} if self.after else {}
        if self.upto is not None:
            found["upto"] = self.upto
        return found


_WINDOW_ENDS = """
SELECT id FROM (
  SELECT c.id, row_number() OVER (ORDER BY c.id) AS n FROM commitments c{hint}
  WHERE c.status = 'active' AND c.next_check_at < :now
) AS due WHERE n % :size = 0 ORDER BY id
"""


def windows(session: Session, *, now: datetime, size: int, scan: bool) -> list[Window]:
    """Windows of ``size`` due commitments each, in id order, covering every one due now.

    Read once, up front, in a single pass over the due rows; the last window is open
    ended, so anything left over is judged too. Judged rows stop being due, so a sweep
    that stopped half way is continued by a rerun that reads its windows afresh.
    """
    # Numbering in id order tempts SQLite into walking every active row in the status
    # index (already in id order) over sorting the few due ones: name the sweep's index.
    hint = " NOT INDEXED" if scan else ""
    if not scan and _is_sqlite(session):
        hint = " INDEXED BY ix_commitments_status_check"
    ends = [
        int(end)
        for (end,) in session.execute(
            text(_WINDOW_ENDS.format(hint=hint)),
            {"now": _bound_now(session, now), "size": size},
        )
    ]
    starts = [0, *ends]
    return [Window(after, upto, scan) for after, upto in zip(starts, [*ends, None], strict=True)]


@dataclass(frozen=True)
class Missed:
    """A breach this sweeper inserted, so it opens or joins the case."""

    breach_id: int
    commitment_id: int
    due_at: datetime
    deadline: datetime


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(_B)


def scan_in_rowid_order(session: Session, *, now: datetime) -> bool:
    """Whether this sweep should read commitments in table order rather than by index.

    SQLite follows ``ix_commitments_status_check`` in deadline order, which visits table
    rows (and, for the updates, dirties pages) in random order: fine for the few rows a
    minute brings, ruinous when most of the table is due (a cold sweep, a long outage),
    where one pass in rowid order is several times faster. Counting the due rows reads
    only that index. PostgreSQL's planner makes this choice itself from its statistics.
    """
    if session.get_bind().dialect.name != "sqlite":
        return False
    due = session.execute(
        select(func.count())
        .select_from(_C)
        .where(_C.c.status == CommitmentStatus.ACTIVE, _C.c.next_check_at < now)
    ).scalar_one()
    if due < 10_000:
        return False
    size = session.execute(select(func.max(_C.c.id))).scalar_one() or 0
    return bool(due * 8 > size)


_ONE_OFF_BREACHES = """
INSERT INTO breaches (commitment_id, occurrence_due_at, deadline, detected_at)
SELECT c.id, c.next_due_at, c.next_check_at, :now FROM commitments c{hint}
WHERE c.status = 'active' AND c.rrule IS NULL AND c.next_check_at < :now{window}
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.commitment_id = c.id)
ON CONFLICT (commitment_id, occurrence_due_at) DO NOTHING
RETURNING id, commitment_id, occurrence_due_at, deadline
"""
# next_due_at stays: due-soon reads only rows whose deadline is still ahead, and leaving
# it saves moving one index entry per judged promise (most of a cold sweep's writes).
_ONE_OFFS_JUDGED = """
UPDATE commitments{hint} SET checked_through = next_check_at, next_check_at = NULL
WHERE status = 'active' AND rrule IS NULL AND next_check_at < :now{window}
"""


def _bound_now(session: Session, now: datetime) -> Any:
    # SQLite compares the stored text, so the bound value must be that text too.
    return utc_text(now) if _is_sqlite(session) else now


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


# A cold sweep rewrites index pages all over the table; with SQLite's default 2 MB page
# cache each page is spilled to the WAL many times over. 256 MB (a ceiling, allocated
# only as used) keeps them in memory until commit: more than twice as fast at 1,000,000.
ROOMY_CACHE_KIB = 262_144


@contextmanager
def roomy_cache(session: Session, *, enabled: bool) -> Iterator[None]:
    """A larger SQLite page cache for the duration of a bulk sweep, then the old one."""
    if not enabled or not _is_sqlite(session):
        yield
        return
    old = int(session.execute(text("PRAGMA cache_size")).scalar_one())
    session.execute(text(f"PRAGMA cache_size = -{ROOMY_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {old}"))


# PostgreSQL plans the sweep's index range from its statistics; after a sweep judged this
# many promises they describe a ledger that no longer exists (every deadline still to
# judge), and the next sweep, with nothing due, would scan the table instead.
RESTATE_AFTER = 50_000


def restate(session: Session, *, judged: int) -> None:
    """Refresh PostgreSQL's statistics on commitments after a bulk sweep (in its
    transaction, so they describe what it commits)."""
    if judged >= RESTATE_AFTER and not _is_sqlite(session):
        session.execute(text("ANALYZE commitments"))


def judge_one_offs(session: Session, *, now: datetime, window: Window) -> tuple[int, list[Missed]]:
    """(one-off commitments judged, breaches inserted) for deadlines before ``now``.

    Strictly before: at its deadline an occurrence is still "due", not missed.
    """
    hint = " NOT INDEXED" if window.scan else ""
    params = {"now": _bound_now(session, now), **window.params()}
    # Breaches first, bookmark second: the anti-join must still see the unjudged rows.
    missed = [
        Missed(breach_id, cid, _as_utc(due), _as_utc(deadline))
        for breach_id, cid, due, deadline in session.execute(
            text(_ONE_OFF_BREACHES.format(hint=hint, window=window.sql("c."))), params
        )
    ]
    # A rival sweeper blocked on these rows re-reads them after our commit and finds
    # next_check_at NULL, so each one-off is judged (and counted) by one sweeper.
    judged = session.execute(text(_ONE_OFFS_JUDGED.format(hint=hint, window=window.sql())), params)
    return int(getattr(judged, "rowcount", 0) or 0), missed


def _as_utc(value: datetime | str) -> datetime:
    """A raw value (SQLite text or PostgreSQL timestamptz) as an aware UTC datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)


# Times travel as canonical UTC text (occurrences.utc_text): SQLite stores exactly that,
# PostgreSQL renders it with to_char, and string order is time order, so judging never
# builds a datetime per delivery. next_check_at stays native for the compare-and-set.
_PG_TEXT = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
_RECURRING = """
SELECT c.id, {due}, c.rrule, c.grace_hours, {checked}, c.next_check_at,
       (SELECT {aggregate} FROM deliveries d WHERE d.commitment_id = c.id)
FROM commitments c{{hint}}
WHERE c.status = 'active' AND c.next_check_at < :now AND c.rrule IS NOT NULL
  AND c.due_at IS NOT NULL{{window}}
"""
_SQLITE_RECURRING = _RECURRING.format(
    due="c.due_at", checked="c.checked_through", aggregate="group_concat(d.delivered_at)"
)
_PG_RECURRING = _RECURRING.format(
    due=_PG_TEXT.format("c.due_at"),
    checked=_PG_TEXT.format("c.checked_through"),
    aggregate=f"string_agg({_PG_TEXT.format('d.delivered_at')}, ',')",
)


def judge_recurring(session: Session, *, now: datetime, window: Window) -> tuple[int, list[Missed]]:
    """(recurring commitments judged, breaches inserted) for deadlines before ``now``."""
    sqlite = _is_sqlite(session)
    sql = (_SQLITE_RECURRING if sqlite else _PG_RECURRING).format(
        hint=" NOT INDEXED" if window.scan else "", window=window.sql("c.")
    )
    schedule = TextSchedule(now, LOOKAHEAD)
    deadline = schedule.deadline
    claims: list[Claim] = []
    owed: dict[int, list[tuple[str, str]]] = {}
    for cid, due_text, rule, grace_hours, checked, check_raw, delivered in _raw_rows(
        session, sql, {"now": _bound_now(session, now), **window.params()}
    ):
        past, following = schedule.split(due_text, rule, grace_hours)
        if past:
            times = delivered.split(",") if delivered else []
            times.sort()  # group_concat keeps the index order, but nothing promises it
            done = len(fill(past, times))
            if done < len(past):
                # Only occurrences not judged by an earlier sweep can become new breaches.
                fresh = [(when, deadline(when, grace_hours)) for when in past[done:]]
                fresh = [f for f in fresh if checked is None or f[1] > checked]
                if fresh:
                    owed[cid] = fresh
            checked = deadline(past[-1], grace_hours)
        claims.append(
            (
                cid,
                check_raw,
                checked,
                following,
                deadline(following, grace_hours) if following is not None else None,
            )
        )
    won = _claim(session, claims)
    rows_to_insert = [
        {
            "commitment_id": cid,
            "occurrence_due_at": _as_utc(due),
            "deadline": _as_utc(limit),
            "detected_at": now,
        }
        for cid in sorted(won & owed.keys())
        for due, limit in owed[cid]
    ]
    return len(won), _insert_breaches(session, rows_to_insert)


def _raw_rows(session: Session, sql: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Rows straight from the DBAPI cursor of the session's connection (its transaction).

    A cold sweep reads one row per recurring commitment; SQLAlchemy's per-row result
    processing would cost more than judging the row.
    """
    if not _is_sqlite(session):
        for name in params:
            sql = sql.replace(f":{name}", f"%({name})s")  # psycopg's parameter style
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(10_000):
            yield from batch
    finally:
        cursor.close()


def _insert_breaches(session: Session, rows: list[dict[str, Any]]) -> list[Missed]:
    if not rows:
        return []
    insert = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["commitment_id", "occurrence_due_at"])
        .returning(_B.c.id, _B.c.commitment_id, _B.c.occurrence_due_at, _B.c.deadline)
    )
    inserted: list[Missed] = []
    for start in range(0, len(rows), CLAIM_CHUNK):
        # executemany with RETURNING ("insertmanyvalues"): few statements, and only the
        # rows this sweeper inserted come back.
        result = session.execute(insert, rows[start : start + CLAIM_CHUNK])
        inserted.extend(Missed(*row) for row in result)
    return inserted


_PG_CLAIM = text(
    """
UPDATE commitments AS c
SET checked_through = v.checked AT TIME ZONE 'UTC', next_due_at = v.due AT TIME ZONE 'UTC',
    next_check_at = v.next_check AT TIME ZONE 'UTC'
FROM unnest(CAST(:ids AS integer[]), CAST(:olds AS timestamptz[]),
            CAST(:checked AS timestamp[]), CAST(:due AS timestamp[]),
            CAST(:next_check AS timestamp[])) AS v(id, old, checked, due, next_check)
WHERE c.id = v.id AND c.next_check_at = v.old
RETURNING c.id
"""
)
_SQLITE_CLAIM_SQL = (
    "UPDATE commitments SET checked_through = ?, next_due_at = ?, next_check_at = ?"
    " WHERE id = ? AND next_check_at = ?"
)


def _claim(session: Session, claims: Sequence[Claim]) -> set[int]:
    """Apply the compare-and-set bookmark updates; the ids this sweeper won."""
    won: set[int] = set()
    sqlite = _is_sqlite(session)
    # In id order, so two sweepers take row locks in the same order and wait, not deadlock
    # (and SQLite writes the table's pages in order).
    ordered = sorted(claims, key=lambda c: c[0])
    for start in range(0, len(ordered), CLAIM_CHUNK):
        chunk = ordered[start : start + CLAIM_CHUNK]
        if sqlite:
            won.update(_sqlite_claim(session, chunk))
            continue
        columns = list(zip(*chunk, strict=True))
        result = session.execute(
            _PG_CLAIM,
            {
                "ids": list(columns[0]),
                "olds": list(columns[1]),
                "checked": list(columns[2]),
                "due": list(columns[3]),
                "next_check": list(columns[4]),
            },
        )
        won.update(result.scalars())
    return won


def _sqlite_claim(session: Session, chunk: Sequence[Claim]) -> set[int]:
    params = [(checked, due, next_check, cid, old) for cid, old, checked, due, next_check in chunk]
    # The DBAPI cursor of the session's own connection (so inside its transaction):
    # sqlite3's executemany loops in C, where SQLAlchemy would process every parameter
    # set in Python first, several times the cost of the update itself.
    cursor = session.connection().connection.cursor()
    try:
        cursor.executemany(_SQLITE_CLAIM_SQL, params)
        changed = cursor.rowcount
    finally:
        cursor.close()
    if changed == len(params):
        return {cid for cid, *_ in chunk}
    # Some rows changed under us (SQLite serialises writers, so only when the statement
    # did not run inside the sweep's write transaction): learn the winners row by row.
    # Ours are applied already; a row holds our values exactly when we wrote it or a
    # rival wrote the same judgement, and either way it was judged once.
    held = text("SELECT next_check_at FROM commitments WHERE id = :cid")
    won = set()
    for cid, old, _checked, _due, next_check in chunk:
        current = session.execute(held, {"cid": cid}).scalar_one_or_none()
        if current == next_check and old != next_check:
            won.add(cid)
    return won
