"""A demo workspace whose Greek bakery also wrote in with a file, and helpers to read it all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from amends.app import create_app
from amends.clock import FrozenClock
from amends.compensation.report import ledger_report
from amends.config import Settings
from amends.customers.models import Customer
from amends.db import transaction
from amends.demo import load as demo_load
from amends.intake.pipeline import IntakeContext, ingest
from amends.people import service as people
from amends.people.models import User
from amends.people.rules import OPERATOR
from amends.reports.service import recovery_report
from tests.conftest import DEFAULT_PLAYBOOK

BAKERY = "Ελληνικά Αρτοποιεία Α.Ε."
# A word found nowhere else, so its trigrams in the search indexes are hers alone.
RARE = "Qzvkjxw"
ATTACHMENT = b"%PDF-1.4 invoice for the bakery, November " + RARE.encode()


@dataclass
class Demo:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: FrozenClock
    customer_id: int
    owner_token: str
    manager_token: str


def bakery_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "Μαρία Παπαδοπούλου <maria@artopoieia.example>"
    message["To"] = "amends@localhost"
    message["Subject"] = "Λείπει πάλι η αναφορά πωλήσεων"
    message["Message-ID"] = "<report-missing-77@artopoieia.example>"
    message.set_content(
        "Καλησπέρα, η μηνιαία αναφορά πωλήσεων δεν ήρθε ξανά. Επισυνάπτω το τιμολόγιο "
        f"με κωδικό {RARE}. Μαρία Παπαδοπούλου, 210 555 0199"
    )
    message.add_attachment(
        ATTACHMENT, maintype="application", subtype="pdf", filename="τιμολόγιο-νοεμβρίου.pdf"
    )
    return bytes(message)


def unreadable_mail() -> bytes:
    """Mail from her that intake quarantines (parts nested too deep): kept, never a message."""
    head = (
        "From: Μαρία Παπαδοπούλου <maria@artopoieia.example>\nTo: amends@localhost\n"
        "Subject: scan\nMIME-Version: 1.0\n"
    )
    depth = 30
    body = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)
    )
    body += "Content-Type: text/plain\n\nhello\n"
    body += "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    return (head + body).encode()


@pytest.fixture
def demo(
    settings: Settings, engine: Engine, sessions: sessionmaker[Session], clock: FrozenClock
) -> Demo:
    with transaction(sessions) as session:
        demo_load.load(
            session,
            settings=settings,
            now=clock.now(),
            password="demo password 1",
            playbook=DEFAULT_PLAYBOOK,
        )
        customer_id = session.scalar(select(Customer.id).where(Customer.name == BAKERY))
        assert customer_id is not None
        owner = session.scalar(select(User).where(User.role == "owner"))
        manager = session.scalar(select(User).where(User.role == "manager"))
        assert owner is not None and manager is not None
        owner_token = people.create_token(session, user=owner, name="t", now=clock.now())
        manager_token = people.create_token(session, user=manager, name="t", now=clock.now())
    result = ingest(
        IntakeContext(settings, sessions, clock, DEFAULT_PLAYBOOK), bakery_mail(), source="eml"
    )
    assert result.status == "stored", result
    unreadable = ingest(
        IntakeContext(settings, sessions, clock, DEFAULT_PLAYBOOK), unreadable_mail(), source="eml"
    )
    assert unreadable.status == "quarantined", unreadable
    return Demo(settings, engine, sessions, clock, customer_id, owner_token, manager_token)


@pytest.fixture
def demo_client(demo: Demo) -> Iterator[TestClient]:
    app = create_app(demo.settings, clock=demo.clock, engine=demo.engine)
    with TestClient(app) as client:
        yield client


def reports(demo: Demo) -> dict[str, Any]:
    """Every total the reports show, over all time and for a window."""
    with transaction(demo.sessions) as session:
        report = {
            "recovery": recovery_report(session, actor=OPERATOR),
            "window": recovery_report(
                session, actor=OPERATOR, since=demo.clock.now().replace(year=2020)
            ),
            "ledger": ledger_report(session, actor=OPERATOR, now=demo.clock.now()),
        }
    return report


def every_value(engine: Engine) -> Iterator[tuple[str, str, Any]]:
    """(table, column, value) for every column of every row of every table, the search
    indexes' own tables among them."""
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    yield table, column, value


def holds(value: Any, needle: str) -> bool:
    """Whether a column's value holds the needle: as text, as bytes, or escaped in JSON
    (SQLite keeps JSON columns as text with non-ASCII letters as \\u escapes)."""
    if isinstance(value, bytes | memoryview):
        return needle.encode() in bytes(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if value is None:
        return False
    text = str(value).casefold()
    escaped = json.dumps(needle)[1:-1].casefold()
    return needle.casefold() in text or escaped in text


def files_under(home: Path) -> list[Path]:
    return [p for p in home.rglob("*") if p.is_file()]
