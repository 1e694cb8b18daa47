"""Bookkeeping writes a read makes on the side never wait for SQLite's write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.db import transaction, write_if_free
from amends.people import service as people
from amends.people.models import ApiToken
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
