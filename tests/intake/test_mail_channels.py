"""The mail settings page tries sending (a real aiosmtpd) and reading (a real Dovecot)
as the outbox and intake would, changes nothing, and says what failed when it fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from amends.app import create_app
from amends.clock import FrozenClock
from amends.config import Settings
from tests.conftest import Cast, free_port
from tests.intake.test_imap import PASSWORD, USER, dovecot
from tests.messages.conftest import Inbox, smtp_server
from tests.web.test_pages import csrf_from, sign_in

# The real servers those tests start, used here as fixtures: their names come in by import.
FIXTURES = (dovecot, smtp_server)


@pytest.fixture
def settings(tmp_path: Path, db_url: str, smtp_server: tuple[Inbox, int], dovecot: int) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server[1],
        imap_host="127.0.0.1",
        imap_port=dovecot,
        imap_user=USER,
        imap_password=SecretStr(PASSWORD),
        imap_ssl=False,
    )


def _check(client: TestClient, channel: str) -> str:
    page = client.get("/settings/mail")
    assert page.status_code == 200
    answer = client.post(
        "/settings/mail/check", data={"channel": channel, "csrf_token": csrf_from(page.text)}
    )
    assert answer.status_code == 200
    found = re.search(r'role="(?:status|alert)">([^<]+)</p>', answer.text)
    assert found is not None
    return found.group(1)


def test_a_manager_tries_both_channels_and_nothing_is_sent(
    client: TestClient, cast: Cast, smtp_server: tuple[Inbox, int], settings: Settings
) -> None:
    sign_in(client, cast.manager.email)
    page = client.get("/settings/mail")
    assert f'name="port" value="{settings.smtp_port}"' in page.text
    assert PASSWORD not in page.text
    assert _check(client, "smtp").startswith("Sending works")
    assert smtp_server[0].received == []
    assert _check(client, "imap") == "Reading works: INBOX opened, 0 unread."


@pytest.mark.slow
def test_a_channel_that_does_not_answer_is_said_with_its_error(
    cast: Cast, settings: Settings, clock: FrozenClock, engine: Engine
) -> None:
    wrong = settings.model_copy(
        update={"smtp_port": free_port(), "imap_password": SecretStr("not the password")}
    )
    with TestClient(create_app(wrong, clock=clock, engine=engine)) as client:
        sign_in(client, cast.owner.email)
        assert _check(client, "smtp").startswith("It did not work: ConnectionRefusedError")
        said = _check(client, "imap")
    assert said.startswith("It did not work: error") and "not the password" not in said


def test_agents_do_not_see_the_mail_settings(client: TestClient, cast: Cast) -> None:
    sign_in(client, cast.agent.email)
    assert client.get("/settings/mail").status_code == 403
