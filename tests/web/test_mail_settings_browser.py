"""A manager changes where mail goes out, in Debian's Chromium with JavaScript off: the
port and a password saved on /settings/mail, the saved port shown back and the password
never, and "Test sending" signing in to the saved server (a real aiosmtpd on loopback)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from amends import migrate
from amends.db import make_engine, make_session_factory, transaction
from amends.people import service as people
from amends.people.rules import Role
from tests.conftest import free_port, serving
from tests.messages.test_mail_channel_settings import SECRET, SigningInbox, relay
from tests.web.test_browser import CHROMIUM, playwright_api, pytestmark  # noqa: F401

# The signing SMTP server of the channel tests, used here as a fixture.
FIXTURES = (relay,)
PASSWORD = "manager-browser-password"


@pytest.fixture
def server(tmp_path: Path, db_url: str) -> Iterator[str]:
    """`amends serve` with a manager, and an environment whose SMTP port answers nothing."""
    home = tmp_path / "ws"
    home.mkdir()
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with transaction(make_session_factory(engine)) as s:
        people.create_user(
            s,
            email="marek@example.com",
            name="Marek Manažér",
            role=Role.MANAGER,
            now=datetime.now(UTC),
            password=PASSWORD,
        )
    engine.dispose()
    env = dict(
        os.environ,
        AMENDS_HOME=str(home),
        AMENDS_DATABASE_URL=db_url,
        AMENDS_SMTP_HOST="127.0.0.1",
        AMENDS_SMTP_PORT=str(free_port()),
    )
    with serving(env, "--no-worker") as (base, _):
        yield base


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_manager_saves_the_smtp_port_and_test_sending_reaches_the_saved_server(
    server: str, relay: tuple[SigningInbox, int]
) -> None:
    inbox, port = relay
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless=new", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_context(java_script_enabled=False, locale="en-US").new_page()
        page.goto(server + "/signin")
        page.fill("input[name=email]", "marek@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/signin'] button[type=submit]")
        page.goto(server + "/settings/mail")
        form = page.locator("form[action='/settings/mail/smtp']")
        form.locator("input[name=port]").fill(str(port))
        form.locator("input[name=user]").fill("care@example.com")
        form.locator("input[name=password]").fill(SECRET)
        form.locator("button[type=submit]").click()
        assert page.locator("[role=status]").inner_text() == (
            "Sending settings saved; the next mail sent uses them."
        )
        page.goto(server + "/settings/mail")
        saved = page.locator("form[action='/settings/mail/smtp']")
        assert saved.locator("input[name=port]").input_value() == str(port)
        assert saved.locator("input[name=password]").input_value() == ""
        assert SECRET not in page.content()
        assert "A password is set" in saved.inner_text()
        page.click("form[action='/settings/mail/check']:has(input[value=smtp]) button")
        assert page.locator("[role=status]").inner_text().startswith("Sending works")
        browser.close()
    assert inbox.logins == ["care@example.com"] and inbox.received == []
