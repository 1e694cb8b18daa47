"""Customer-written text is shown as text on every page: a script in a subject, a
customer's name, a display name, an HTML body or an attachment's name never runs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.intake.pipeline import IntakeContext, ingest
from tests.conftest import DEFAULT_PLAYBOOK, Cast
from tests.web.test_pages import sign_in

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
SVG = '"><svg onload=alert(1)>'


def _hostile_mail() -> bytes:
    return (
        "From: =?utf-8?q?Eve_=3Cscript=3Ealert=281=29=3C/script=3E?= <eve@hostile.example>\r\n"
        "To: support@amends.example\r\n"
        f"Subject: {SCRIPT} objednávka\r\n"
        "Message-ID: <xss-1@hostile.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n'
        "\r\n"
        "--b\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "\r\n"
        f"<p>Balík neprišiel {IMG}</p><script>alert(2)</script>\r\n"
        "--b\r\n"
        "Content-Type: application/pdf\r\n"
        f'Content-Disposition: attachment; filename="{SVG}.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "JVBERi0xLjQK\r\n"
        "--b--\r\n"
    ).encode()


def test_hostile_text_from_mail_is_escaped_on_every_page_that_shows_it(
    client: TestClient,
    cast: Cast,
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> None:
    ctx = IntakeContext(settings, sessions, clock, DEFAULT_PLAYBOOK)
    case_id = ingest(ctx, _hostile_mail(), source="test").case_id
    assert case_id is not None
    customer_id = client.get(f"/api/v1/cases/{case_id}", headers=cast.owner.headers).json()[
        "customer_id"
    ]
    sign_in(client, cast.owner.email)
    pages = [
        "/cases?scope=all",
        f"/cases/{case_id}",
        f"/customers/{customer_id}",
        "/notifications",
        "/patterns",
        "/cases?scope=all&q=objedn%C3%A1vka",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        for payload in (SCRIPT, IMG, SVG, "<script>alert(2)</script>", "<script>alert(1)"):
            assert payload not in html, (path, payload)
    case_page = client.get(f"/cases/{case_id}").text
    # Shown, as text: the words are there, escaped.
    assert "&lt;script&gt;" in case_page
    assert "Balík neprišiel" in case_page
