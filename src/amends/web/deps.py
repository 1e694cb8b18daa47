"""Request dependencies: the transaction boundary, the clock and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from amends.clock import Clock
from amends.config import Settings
from amends.db import begin_writing
from amends.errors import InvalidInput
from amends.playbook.policy import Playbook

# Methods that only read (RFC 9110): the rest take SQLite's write lock when they begin.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_playbook(request: Request) -> Playbook:
    # Read again when the file changed: a playbook saved in the browser applies at once,
    # in every server process.
    playbook: Playbook = request.app.state.playbook.current()
    return playbook


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, else rolled back.

    Declared with scope="function" so the commit happens before the response is sent;
    a failed commit then becomes an error response instead of a false success. Plain
    ``def``, so FastAPI runs it in the thread pool: BEGIN and COMMIT can wait up to
    busy_timeout for SQLite's write lock, and on the event loop that wait froze every
    other request, the health check included.
    """
    with request.app.state.sessions() as session, session.begin():
        if request.method not in SAFE_METHODS:
            # A form or API call that changes something: its reads must not make SQLite
            # refuse its write when another writer got in first (db.begin_writing).
            begin_writing(session)
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]
AppClock = Annotated[Clock, Depends(get_clock)]
AppPlaybook = Annotated[Playbook, Depends(get_playbook)]


async def single_valued_query(request: Request) -> None:
    """No API parameter is a list, so a repeated one is a mistake, not "the last one wins"."""
    keys = [key for key, _ in request.query_params.multi_items()]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise InvalidInput(
            f"query parameter(s) given more than once: {', '.join(repeated)}",
            code="query-repeated",
        )
