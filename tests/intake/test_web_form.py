"""The public complaint form: CSRF, honeypot, rate limit, attachments, nothing dropped."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from amends.config import Settings
from amends.db import transaction
from amends.intake import pages
from amends.intake.models import RawMail
from amends.messages.models import Message, StoredAttachment
from tests.conftest import Cast


@pytest.fixture(autouse=True)
def fresh_limiter() -> Iterator[None]:
    saved = pages.LIMITER
    pages.LIMITER = pages.RateLimiter(pages.RATE_LIMIT, pages.RATE_WINDOW)
    yield
    pages.LIMITER = saved


def token(client: TestClient) -> str:
    page = client.get("/complaint", headers={"Accept-Language": "sk"})
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def form(csrf: str, **extra: str) -> dict[str, str]:
    data = {
        "name": "Ján Novák",
        "email": "jan@pekaren-novak.example",
        "subject": "Reporty neprišli",
        "csrf_token": csrf,
        "message": "Dobrý deň, už tri mesiace nedostávame marketingové reporty. <b>Prečo?</b>",
    }
    data.update(extra)
    return data


def count(sessions: sessionmaker[Session], model: type, **where: object) -> int:
    with transaction(sessions) as s:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return int(s.scalar(stmt) or 0)


@pytest.mark.slow
def test_a_complaint_opens_a_case_and_keeps_the_file(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    csrf = token(client)
    # Files come as multipart, whose token is shown before the body: in the form's action.
    response = client.post(
        f"/complaint?csrf_token={csrf}",
        data=form(csrf),
        files=[("files", ("faktúra.pdf", b"%PDF-1.4 test", "application/pdf"))],
    )
    assert response.status_code == 200, response.text
    reference = re.search(r"<strong>(C-\d+)</strong>", response.text)
    assert reference
    assert count(sessions, RawMail, source="web", status="stored") == 1
    assert count(sessions, StoredAttachment, filename="faktúra.pdf") == 1
    with transaction(sessions) as s:
        message = s.scalars(select(Message)).one()
        assert message.case_id == int(reference.group(1)[2:])
        assert "<b>Prečo?</b>" in message.text  # stored as written, escaped when shown
        assert message.language == "sk"


def test_forms_need_the_csrf_token(client: TestClient, sessions: sessionmaker[Session]) -> None:
    token(client)
    response = client.post("/complaint", data=form("forged"))
    assert response.status_code == 400
    assert count(sessions, RawMail) == 0


def test_the_honeypot_is_kept_but_opens_nothing(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    csrf = token(client)
    response = client.post("/complaint", data=form(csrf, website="http://spam.example"))
    assert response.status_code == 200
    assert "<strong>C-" not in response.text
    assert count(sessions, RawMail, status="ignored", source="web-honeypot") == 1
    assert count(sessions, Message) == 0


@pytest.mark.slow
def test_rate_limit_and_bad_input_answer_with_the_form(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    csrf = token(client)
    bad = client.post("/complaint", data=form(csrf, email="not-an-address"))
    assert bad.status_code == 422
    assert "&lt;b&gt;Prečo?&lt;/b&gt;" in bad.text  # the message is kept, escaped
    for i in range(pages.RATE_LIMIT - 1):
        ok = client.post("/complaint", data=form(csrf, subject=f"Správa {i}"))
        assert ok.status_code == 200
    limited = client.post("/complaint", data=form(csrf, subject="Ešte jedna"))
    assert limited.status_code == 429


@pytest.mark.slow
def test_the_server_answers_while_a_complaint_waits_for_the_database(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], db_url: str, settings: Settings
) -> None:
    """Taking a complaint in is blocking work, done off the event loop: while it waits
    for a database lock, /healthz still answers."""
    csrf = token(client)
    engine = create_engine(db_url, poolclass=NullPool)
    locker = engine.connect()
    raw_sqlite = None
    if engine.dialect.name == "sqlite":
        raw_sqlite = sqlite3.connect(
            db_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
        )
        raw_sqlite.execute("BEGIN IMMEDIATE")  # holds the write lock
    else:
        locker.begin()
        locker.exec_driver_sql("LOCK TABLE raw_mail IN ACCESS EXCLUSIVE MODE")
    answers: dict[str, int] = {}

    def complain() -> None:
        answers["form"] = client.post("/complaint", data=form(csrf)).status_code

    guard, released = threading.Lock(), threading.Event()

    def release() -> None:
        with guard:
            if released.is_set():
                return
            released.set()
            if raw_sqlite is not None:
                raw_sqlite.execute("ROLLBACK")
            else:
                locker.rollback()

    # Should the form block the event loop, /healthz answers only once the lock is gone
    # (SQLite gives up after its busy timeout; this lets PostgreSQL go on as well) and
    # the form has finished by then, which fails the test instead of hanging it.
    valve = threading.Timer(30, release)
    worker = threading.Thread(target=complain)
    worker.start()
    valve.start()
    try:
        raw = settings.home / "raw"
        # The raw bytes are on disk just before the database is asked to record them.
        while worker.is_alive() and not (raw.exists() and any(raw.rglob("*"))):
            time.sleep(0.005)  # watching a real request make progress
        health = client.get("/healthz")
        assert health.status_code == 200
        assert worker.is_alive(), "the form finished before /healthz could answer"
    finally:
        valve.cancel()
        release()
        worker.join()
        if raw_sqlite is not None:
            raw_sqlite.close()
        locker.close()
        engine.dispose()
    assert answers["form"] == 200
    assert count(sessions, RawMail, source="web", status="stored") == 1
