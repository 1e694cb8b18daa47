"""The public complaint form: CSRF, honeypot, rate limit, attachments, nothing dropped."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.db import transaction
from amends.intake import pages
from amends.intake.models import RawMail, StoredAttachment
from amends.messages.models import Message
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


def test_a_complaint_opens_a_case_and_keeps_the_file(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    csrf = token(client)
    response = client.post(
        "/complaint",
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
