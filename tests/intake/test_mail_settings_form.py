"""Saving the mail channels on /settings/mail: owners and managers only, CSRF-checked,
refusals said in the reader's language beside the form, audited, and a password that is
never shown back; "Test sending" then tries the channel as saved (a real aiosmtpd)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.audit.models import AuditEvent
from amends.db import transaction
from tests.conftest import Cast
from tests.messages.conftest import Inbox, smtp_server
from tests.web.test_pages import csrf_from, sign_in

SECRET = "s3cret-relay-pass"
# The real SMTP server the outbox tests start, used here as a fixture.
FIXTURES = (smtp_server,)


def _form(port: int | str, **extra: str) -> dict[str, str]:
    return {"host": "127.0.0.1", "port": str(port), "user": "", "timeout": "20"} | extra


def _post(client: TestClient, kind: str, data: dict[str, str]) -> tuple[int, str]:
    token = csrf_from(client.get("/settings/mail").text)
    answer = client.post(f"/settings/mail/{kind}", data=data | {"csrf_token": token})
    return answer.status_code, answer.text


def _said(html: str) -> str:
    found = re.search(r'role="(?:status|alert)"[^>]*>([^<]+)</p>', html)
    assert found is not None
    return found.group(1)


def test_a_manager_saves_sending_and_the_test_reaches_the_saved_server(
    client: TestClient,
    cast: Cast,
    smtp_server: tuple[Inbox, int],
    sessions: sessionmaker[Session],
) -> None:
    inbox, port = smtp_server
    sign_in(client, cast.manager.email)
    status, html = _post(client, "smtp", _form(port, user="care", password=SECRET))
    assert status == 200
    assert _said(html) == "Sending settings saved; the next mail sent uses them."
    page = client.get("/settings/mail").text
    assert f'id="smtp-port" name="port" value="{port}"' in page
    assert SECRET not in page and "A password is set; leave empty to keep it." in page
    with transaction(sessions) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "mail.channel-set")).one()
        assert event.actor_id == cast.manager.id and SECRET not in str(event.detail)
    # The saved user has a password the test server would not ask for: sign-in is skipped
    # without one, so save again without the user, keeping the rest.
    status, _ = _post(client, "smtp", _form(port, clear_password="true"))
    assert status == 200
    token = csrf_from(client.get("/settings/mail").text)
    checked = client.post("/settings/mail/check", data={"channel": "smtp", "csrf_token": token})
    assert _said(checked.text).startswith("Sending works")
    assert inbox.received == []


def test_a_refusal_is_said_beside_the_form_in_the_readers_language_and_keeps_what_was_typed(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, cast.owner.email)
    status, html = _post(client, "smtp", _form("99999", host="relay.example"))
    assert status == 422
    assert 'id="smtp-error">The port is a whole number from 1 to 65535.</p>' in html
    assert 'name="host" value="relay.example"' in html and 'value="99999"' in html
    status, html = _post(client, "imap", {"host": "mail.example", "port": "993", "user": ""})
    assert 'id="imap-error">Reading a mailbox needs the user to sign in as.</p>' in html
    token = csrf_from(client.get("/settings/mail").text)
    client.post("/me/language", data={"language": "sk", "csrf_token": token})
    status, html = _post(client, "smtp", _form("0"))
    assert status == 422 and "The port is a whole number" not in html
    assert 'id="smtp-error">Port je celé číslo od 1 do 65535.</p>' in html
    with transaction(sessions) as s:
        assert (
            s.scalars(select(AuditEvent).where(AuditEvent.action == "mail.channel-set")).all() == []
        )


def test_agents_cannot_save_and_a_form_without_its_token_is_refused(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.agent.email)
    token = csrf_from(client.get("/cases").text)
    answer = client.post("/settings/mail/smtp", data=_form(25) | {"csrf_token": token})
    assert answer.status_code == 403
    sign_in(client, cast.manager.email)
    assert client.post("/settings/mail/smtp", data=_form(25)).status_code == 400
