"""Engine, sessions and the column types shared by every model."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Numeric,
    String,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql import Executable, Select
from sqlalchemy.types import TypeDecorator

from amends.text.indexfold import index_fold

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine.

    SQLite has no time zones, so values are stored as naive UTC there and made aware
    again on the way out; PostgreSQL keeps ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; amends stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A StrEnum stored as its plain value in a VARCHAR of the given length.

    The stored strings are exactly the enum values, as before columns were typed, so
    existing databases and migrations need no change (and no CHECK constraint or native
    enum type appears that a new member would have to migrate). An unknown value is
    refused on the way in, so a typo never reaches the table.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # Raises ValueError naming the value when it is not a member.
        return self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def _sqlite_utc_text(value: str | None) -> str | None:
    # SQLAlchemy stores SQLite times as "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC); this
    # is the ISO 8601 text pydantic writes for the same aware value (no fraction when 0).
    if value is None:
        return None
    return value.replace(" ", "T", 1).removesuffix(".000000") + "Z"


def _aware_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def raw_utc_reader(dialect_name: str) -> Callable[[Any], Any]:
    """Reads a UTCDateTime column fetched without type processing (see type_coerce with
    NullType) as a value that serialises to the same JSON as UTCDateTime's result.

    Hot read paths use it: parsing then re-formatting every time of a page costs more
    than the query itself on SQLite.
    """
    return _sqlite_utc_text if dialect_name == "sqlite" else _aware_utc


MONEY = Numeric(14, 2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        Decimal: MONEY,
        dict[str, Any]: JSON(),
        str: String(),
    }


BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web server read while the worker writes; busy_timeout turns brief
    # writer contention into a wait instead of "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()
    register_sqlite_functions(dbapi_connection)


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """The SQL functions amends' SQLite triggers call (any sqlite3 connection that
    writes to a workspace needs them: the triggers that keep the search indexes fail
    without them).

    ``amends_fold`` folds text for the trigram indexes in one C-speed ``translate``;
    in SQL it took a recursive query of 180 ``replace`` steps, milliseconds a message.
    """
    dbapi_connection.create_function("amends_fold", 1, index_fold, deterministic=True)


def _private_file(url: str) -> None:
    """Create a new SQLite database file readable by its owner only (0600).

    SQLite gives its -wal and -shm files the database file's permissions, so customers'
    data never lands in a world-readable file whatever the umask."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        # A workspace made by an earlier version has a 0644 database (and -wal, -shm).
        for made in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            owner_only(made, 0o600)
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def owner_only(path: Path, mode: int) -> None:
    """Take group and other permissions off an existing file or folder of ours (``mode``
    is 0600 or 0700); one that is missing or not ours is left as it is."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return
    if found.st_mode & 0o077 and found.st_uid == os.getuid():
        with contextlib.suppress(OSError):
            os.chmod(path, mode)


# SQLite's primary result codes for "another connection holds the lock" (SQLITE_BUSY,
# SQLITE_LOCKED); extended codes such as SQLITE_BUSY_SNAPSHOT keep them in the low byte.
_SQLITE_LOCK_CODES = frozenset({5, 6})
# PostgreSQL's lock_not_available: a lock_timeout ran out.
_PG_LOCK_NOT_AVAILABLE = "55P03"
# A web request holds a pooled connection while it waits for the write lock, so a file
# database's pool is as large as the server's thread pool (anyio's default, 40) plus
# room for the health check: waiting writers must never starve readers of connections.
SQLITE_POOL_SIZE = 45


def is_busy(exc: BaseException) -> bool:
    """The database refused only because others held it (a lock or every connection)."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, OperationalError):
        return False
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF in _SQLITE_LOCK_CODES
    return getattr(exc.orig, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE


def is_nul_in_text(exc: BaseException) -> bool:
    """PostgreSQL refused a NUL character in text: the input's fault, never ours. (SQLite
    stores it.) Inputs refuse control characters where they enter; this catches any
    field that does not yet."""
    return isinstance(exc, DataError) and "NUL (0x00)" in str(exc.orig)


def write_if_free(session: Session, statement: Executable) -> bool:
    """Run a bookkeeping write only if SQLite's write lock is free now; False if it was not.

    For writes a read request makes on the side (a token's last use): waiting for the
    lock would hold up a read that WAL lets through, so the write is skipped instead and
    the transaction goes on reading. PostgreSQL locks rows, not the database, so there
    the write simply runs.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        session.execute(statement)
        return True
    connection.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        session.execute(statement)
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        return False
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return True


Ts = TypeVarTuple("Ts")


def binary_rows(session: Session, statement: Select[*Ts]) -> list[tuple[*Ts]]:
    """Every row of a read of large binary values, as plain tuples, in the session's
    transaction. PostgreSQL sends them in its binary format: as text, bytea travels as
    hex, twice the bytes to send and to decode (a similarity query's twenty cell packs,
    2 MB, took 7.4 ms as text and 2.8 ms as binary). For columns and parameters of
    integers, bytes and text only: no column type's own conversion is applied to them."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return list(connection.execute(statement).all())
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    raw: Any = connection.connection.dbapi_connection
    with raw.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        found: list[tuple[*Ts]] = cursor.fetchall()
        return found


def nest_savepoints(session: Session) -> None:
    """Make the savepoints that follow nest inside the session's transaction on SQLite.

    The sqlite3 module opens a transaction only before a statement that changes data,
    so a SAVEPOINT sent first opens a transaction of its own, and its RELEASE commits
    every row written so far: the work was no longer one transaction. Opening it here
    (IMMEDIATE: the work is going to write, and a deferred one that read first could be
    refused the write lock without waiting) keeps the boundary's commit or rollback the
    only end. PostgreSQL's savepoints always nest.
    """
    begin_writing(session)


def begin_writing(session: Session) -> None:
    """Take SQLite's write lock now, for a transaction that is going to write.

    In WAL mode a deferred transaction that read first is refused the write lock at
    once, without waiting busy_timeout, whenever another connection committed after its
    read began (SQLITE_BUSY_SNAPSHOT): with two servers and two workers writing, most
    page replies were answered 503. Taken first, the lock is waited for like any other.
    PostgreSQL locks rows, not the database: nothing to do there.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas and pool settings amends relies on."""
    if url.startswith("sqlite"):
        _private_file(url)
        if make_url(url).database not in {None, "", ":memory:"} and "poolclass" not in kwargs:
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The boundary's unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
