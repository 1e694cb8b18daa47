"""Bookkeeping writes a read makes on the side never wait for SQLite's write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.db import is_busy, transaction, write_if_free
from amends.people import service as people
from amends.people.models import ApiToken, User
from amends.web.deps import db_session
from tests.conftest import Cast


@pytest.fixture
def held_lock(engine: Engine) -> Iterator[sqlite3.Connection]:
    if engine.dialect.name != "sqlite":
        pytest.skip("the write lock under test is SQLite's")
    holder = sqlite3.connect(str(engine.url.database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


def last_used(sessions: sessionmaker[Session], token_id: int) -> object:
    with transaction(sessions) as s:
        return s.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))


def token_id_of(sessions: sessionmaker[Session], user_id: int) -> int:
    with transaction(sessions) as s:
        found = s.scalar(select(ApiToken.id).where(ApiToken.user_id == user_id))
    assert found is not None
    return found


def test_a_token_is_accepted_while_another_connection_holds_the_lock(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock, held_lock: sqlite3.Connection
) -> None:
    token_id = token_id_of(sessions, cast.agent.id)
    assert last_used(sessions, token_id) is None
    with transaction(sessions) as s:
        actor = people.authenticate_token(s, cast.agent.token, now=clock.now())
        # The transaction goes on reading after the skipped write.
        again = people.authenticate_token(s, cast.agent.token, now=clock.now())
        assert again.user_id == actor.user_id
    assert actor.user_id == cast.agent.id
    assert last_used(sessions, token_id) is None  # skipped, not waited for


def test_write_if_free_writes_when_the_lock_is_free(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock
) -> None:
    token_id = token_id_of(sessions, cast.agent.id)
    touch = update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=clock.now())
    with transaction(sessions) as s:
        assert write_if_free(s, touch) is True
    assert last_used(sessions, token_id) == clock.now()


def test_write_if_free_skips_while_the_lock_is_held(
    sessions: sessionmaker[Session], cast: Cast, clock: FrozenClock, held_lock: sqlite3.Connection
) -> None:
    token_id = token_id_of(sessions, cast.agent.id)
    touch = update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=clock.now())
    with transaction(sessions) as s:
        assert write_if_free(s, touch) is False
        # The connection waits as usual again for the request's own writes.
        timeout = s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar_one()
        assert timeout == 10_000
    held_lock.execute("ROLLBACK")
    held_lock.execute("BEGIN")  # the fixture rolls back a transaction it holds
    with transaction(sessions) as s:
        assert write_if_free(s, touch) is True
    assert last_used(sessions, token_id) == clock.now()


def _request(method: str, sessions: sessionmaker[Session]) -> Any:
    """What db_session reads of a request: its method and the app's session factory."""
    return SimpleNamespace(
        method=method, app=SimpleNamespace(state=SimpleNamespace(sessions=sessions))
    )


def _sqlite_path(engine: Engine) -> str:
    if engine.dialect.name != "sqlite":
        pytest.skip("the write lock under test is SQLite's")
    return str(engine.url.database)


def _rename(sessions: sessionmaker[Session], session: Session, user_id: int, name: str) -> None:
    session.execute(update(User).where(User.id == user_id).values(name=name))


def test_a_request_that_changes_something_holds_the_write_lock_from_its_start(
    engine: Engine, sessions: sessionmaker[Session], cast: Cast
) -> None:
    path = _sqlite_path(engine)
    steps = db_session(_request("POST", sessions))
    session = next(steps)
    nested = session.begin_nested()  # as a page's form does its work (recovery.pages)
    session.scalar(select(User.name).where(User.id == cast.agent.id))
    # Another writer waits its turn instead of committing between the read and the write.
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("UPDATE users SET name = 'Other' WHERE id = ?", (cast.viewer.id,))
    _rename(sessions, session, cast.agent.id, "Renamed")
    nested.commit()
    with pytest.raises(StopIteration):
        next(steps)  # committed
    other.close()
    with transaction(sessions) as s:
        assert s.scalar(select(User.name).where(User.id == cast.agent.id)) == "Renamed"


def test_a_read_that_then_writes_is_refused_once_another_writer_got_in_first(
    engine: Engine, sessions: sessionmaker[Session], cast: Cast
) -> None:
    """Why the lock is taken first: a savepoint opened a deferred transaction, it read,
    and SQLite refuses its write at once, without waiting, once another writer committed
    in between. Replies under load were answered 503 this way."""
    path = _sqlite_path(engine)
    steps = db_session(_request("GET", sessions))
    session = next(steps)
    session.begin_nested()
    session.scalar(select(User.name).where(User.id == cast.agent.id))
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    other.execute("UPDATE users SET name = 'Other' WHERE id = ?", (cast.viewer.id,))
    other.close()
    rename = update(User).where(User.id == cast.agent.id).values(name="Renamed")
    with pytest.raises(OperationalError) as refused:
        session.execute(rename)
    assert is_busy(refused.value)
    steps.close()
