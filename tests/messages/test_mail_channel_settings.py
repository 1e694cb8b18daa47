"""Mail channels saved in amends win over the environment's, keep their password to
themselves (encrypted at rest, never answered back), are audited, and are what the
outbox really sends through: a real aiosmtpd on loopback that asks for a sign-in."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.audit.models import AuditEvent
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.errors import ConfigError, Forbidden, InvalidInput
from amends.messages import channels, outbox, sealing
from amends.messages.models import MailChannel
from amends.people.rules import OPERATOR, Actor
from tests.conftest import Cast, free_port
from tests.messages.helpers import make_replies

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SECRET = "relay-password-9f3!"


class SigningInbox:
    """An SMTP server that takes mail only after a sign-in with ``SECRET``."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.logins: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and data.password.decode() == SECRET
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[SigningInbox, int]]:
    inbox, port = SigningInbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    yield inbox, port
    controller.stop()


def _change(**values: Any) -> channels.ChannelChange:
    given: dict[str, Any] = {"host": "127.0.0.1", "port": "2525"} | values
    return channels.ChannelChange(**given)


def _save(sessions: sessionmaker[Session], settings: Settings, kind: str, **values: Any) -> None:
    with transaction(sessions) as s:
        channels.save(
            s,
            settings,
            actor=OPERATOR,
            kind=kind,  # type: ignore[arg-type]
            change=_change(**values),
            now=NOW,
        )


def test_the_environment_decides_until_a_channel_is_saved_and_then_the_saved_one_wins(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    env = settings.model_copy(
        update={"smtp_host": "env.example", "smtp_port": 25, "smtp_password": SecretStr("envpw")}
    )
    with transaction(sessions) as s:
        assert channels.effective(s, env).smtp_host == "env.example"
        assert channels.view(s, env, "smtp").stored is False
    _save(sessions, env, "smtp", host="relay.example", port="587", user="care", tls=True)
    with transaction(sessions) as s:
        used = channels.effective(s, env)
        assert (used.smtp_host, used.smtp_port, used.smtp_user) == ("relay.example", 587, "care")
        assert used.smtp_starttls is True
        # No password given: the environment's stays in effect.
        assert used.smtp_password.get_secret_value() == "envpw"
        assert used.imap_host == env.imap_host  # the other channel is untouched
    _save(sessions, env, "smtp", host="relay.example", port="587", password=SECRET)
    _save(sessions, env, "smtp", host="relay.example", port="465")  # blank: keep it
    with transaction(sessions) as s:
        used = channels.effective(s, env)
        assert (used.smtp_port, used.smtp_password.get_secret_value()) == (465, SECRET)
        sealed = s.get(MailChannel, "smtp")
        assert sealed is not None and SECRET not in (sealed.password_sealed or "")
    _save(sessions, env, "smtp", host="relay.example", port="465", clear_password=True)
    with transaction(sessions) as s:
        assert channels.effective(s, env).smtp_password.get_secret_value() == ""
        assert channels.view(s, env, "smtp").password_set is False


def test_a_saved_mailbox_is_the_one_polled(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    _save(
        sessions,
        settings,
        "imap",
        host="mail.example",
        port="143",
        user="inbox@example.com",
        password=SECRET,
        folder="Complaints",
    )
    from amends.intake.imap import mailbox_of

    with transaction(sessions) as s:
        box = mailbox_of(channels.effective(s, settings))
    assert box is not None
    assert (box.host, box.port, box.user, box.password) == (
        "mail.example",
        143,
        "inbox@example.com",
        SECRET,
    )
    assert (box.folder, box.use_ssl) == ("Complaints", False)


def test_a_password_sealed_under_another_secret_is_refused_without_saying_it() -> None:
    sealed = sealing.seal("one secret", SECRET)
    assert sealing.unseal("one secret", sealed) == SECRET
    with pytest.raises(ConfigError) as refused:
        sealing.unseal("another secret", sealed)
    assert refused.value.code == "mail-password-unreadable"
    assert SECRET not in str(refused.value) and "one secret" not in str(refused.value)


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t[:40] + ("A" if t[40] != "A" else "B") + t[41:],  # inside the ciphertext
        lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"),  # the tag
        lambda t: t[:-8],  # cut short
        lambda t: "",
        lambda t: "not a token at all",
        lambda t: "v1:" + t,  # what an earlier, never released, build wrote
        lambda t: t + "ž",
    ],
    ids=["ciphertext", "tag", "cut-short", "empty", "not-a-token", "old-format", "non-ascii"],
)
def test_a_sealed_password_altered_in_any_way_is_refused(alter: Any) -> None:
    sealed = sealing.seal("one secret", SECRET)
    with pytest.raises(ConfigError) as refused:
        sealing.unseal("one secret", alter(sealed))
    assert refused.value.code == "mail-password-unreadable"


def test_sealing_the_same_password_twice_gives_different_text() -> None:
    first, second = (sealing.seal("one secret", SECRET) for _ in range(2))
    assert first != second  # a fresh random IV each time
    assert sealing.unseal("one secret", first) == sealing.unseal("one secret", second) == SECRET


def test_the_longest_password_allowed_fits_its_column() -> None:
    longest = "x" * channels.MAX_PASSWORD
    sealed = sealing.seal("one secret", longest)
    column = MailChannel.__table__.c.password_sealed.type
    assert len(sealed) <= column.length
    assert sealing.unseal("one secret", sealed) == longest


def test_the_stored_column_never_holds_the_password(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    _save(sessions, settings, "smtp", host="relay.example", port="587", password=SECRET)
    with transaction(sessions) as s:
        first = s.get(MailChannel, "smtp")
        assert first is not None and first.password_sealed
        stored = first.password_sealed
    assert SECRET not in stored
    # Saved again, the same password is stored as different text (a fresh IV).
    _save(sessions, settings, "smtp", host="relay.example", port="587", password=SECRET)
    with transaction(sessions) as s:
        again = s.get(MailChannel, "smtp")
        assert again is not None and again.password_sealed not in (None, "", stored)
        assert SECRET not in (again.password_sealed or "")
        assert channels.effective(s, settings).smtp_password.get_secret_value() == SECRET


@pytest.mark.parametrize(
    ("kind", "values", "code"),
    [
        ("smtp", {"port": "0"}, "mail-port"),
        ("smtp", {"port": "70000"}, "mail-port"),
        ("smtp", {"port": "twenty-five"}, "mail-port"),
        ("smtp", {"host": "", "user": "care"}, "mail-host"),
        ("smtp", {"host": ""}, "mail-host"),
        ("smtp", {"host": "relay.example/x"}, "mail-host"),
        ("smtp", {"timeout": "0"}, "mail-timeout"),
        ("smtp", {"user": "care\r\nRCPT TO:<x@y>"}, "mail-control"),
        ("imap", {"user": ""}, "mail-user"),
        ("smtp", {"user": "care", "password": "heslo-žltý"}, "mail-ascii"),
        ("imap", {"user": "in@example.com", "folder": " "}, "mail-folder"),
        ("imap", {"user": "in@example.com", "folder": "Sťažnosti"}, "mail-folder"),
    ],
)
def test_settings_that_cannot_work_are_refused_with_what_is_wrong(
    kind: channels.Kind, values: dict[str, str], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        channels.checked(kind, _change(**values))
    assert refused.value.code == code


def test_a_refused_change_saves_nothing(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    with pytest.raises(InvalidInput):
        _save(sessions, settings, "smtp", port="65536")
    with transaction(sessions) as s:
        assert s.scalars(select(MailChannel)).all() == []
        assert s.scalars(select(AuditEvent)).all() == []


def test_only_owners_and_managers_change_the_mail_and_each_change_is_audited_without_the_password(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as s, pytest.raises(Forbidden):
        channels.save(
            s,
            settings,
            actor=Actor(cast.agent.id, cast.agent.role),
            kind="smtp",
            change=_change(),
            now=NOW,
        )
    with transaction(sessions) as s:
        channels.save(
            s,
            settings,
            actor=Actor(cast.manager.id, cast.manager.role),
            kind="smtp",
            change=_change(port="587", user="care", password=SECRET),
            now=NOW,
        )
    with transaction(sessions) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "mail.channel-set")).one()
        assert (event.actor_id, event.subject) == (cast.manager.id, "mail:smtp")
        assert event.detail["port"] == "587" and event.detail["password"] == "changed"
        assert "port" in event.detail["changed"]
        assert SECRET not in json.dumps(event.detail, ensure_ascii=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_outbox_sends_through_the_saved_relay_and_signs_in_with_the_saved_password(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    relay: tuple[SigningInbox, int],
) -> None:
    inbox, port = relay
    # The environment names a server that is not there: only the saved one can work.
    env = settings.model_copy(update={"smtp_port": free_port(), "smtp_timeout": 2})
    make_replies(sessions, clock, cast, 1)
    _save(sessions, env, "smtp", port=str(port), user="care@example.com", password=SECRET)
    assert outbox.drain(sessions, env, now=clock.now())["sent"] == 1
    assert len(inbox.received) == 1 and inbox.logins == ["care@example.com"]
    # Check too: as saved, against the same server.
    with transaction(sessions) as s:
        assert outbox.check_smtp(channels.effective(s, env))


def test_the_api_reads_and_saves_a_channel_but_never_answers_its_password(
    client: TestClient, cast: Cast, tmp_path: Path
) -> None:
    url = "/api/v1/settings/mail/smtp"
    assert client.get(url, headers=cast.agent.headers).status_code == 403
    body = {"host": "relay.example", "port": 587, "user": "care", "password": SECRET, "tls": True}
    assert client.put(url, json=body, headers=cast.agent.headers).status_code == 403
    saved = client.put(url, json=body, headers=cast.manager.headers)
    assert saved.status_code == 200, saved.text
    shown = client.get(url, headers=cast.owner.headers)
    for answer in (saved, shown):
        assert SECRET not in answer.text and 'password":"' not in answer.text
        data = answer.json()
        assert data["source"] == "saved" and data["password_set"] is True
        assert (data["host"], data["port"], data["tls"], data["folder"]) == (
            "relay.example",
            587,
            True,
            None,
        )
    refused = client.put(url, json=body | {"port": 0}, headers=cast.manager.headers)
    assert refused.status_code == 422 and SECRET not in refused.text
    no_host = client.put(url, json=body | {"host": ""}, headers=cast.manager.headers)
    assert no_host.status_code == 422 and no_host.json()["code"] == "mail-host"
    imap = client.get("/api/v1/settings/mail/imap", headers=cast.manager.headers).json()
    assert imap["source"] == "environment" and imap["timeout"] is None
    assert client.get("/api/v1/settings/mail/pop3", headers=cast.owner.headers).status_code == 422


def test_the_command_line_shows_and_saves_a_channel_reading_the_password_from_stdin(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from amends.cli import app

    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    monkeypatch.setenv("AMENDS_SMTP_HOST", "env.example")
    runner = CliRunner()
    shown = runner.invoke(app, ["mail", "show", "smtp", "--json"])
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["host"] == "env.example"
    saved = runner.invoke(
        app,
        ["mail", "set", "smtp", "--port", "587", "--user", "care", "--tls", "--password-stdin"],
        input=SECRET + "\n",
    )
    assert saved.exit_code == 0, saved.stderr
    assert SECRET not in saved.stdout and "password  set" in saved.stdout
    both = runner.invoke(app, ["mail", "show", "--json"])
    rows = [json.loads(line) for line in both.stdout.splitlines()]
    assert [(r["kind"], r["source"]) for r in rows] == [("smtp", "saved"), ("imap", "environment")]
    # Options left out keep what was in effect: the host came from the environment.
    assert (rows[0]["host"], rows[0]["port"], rows[0]["tls"]) == ("env.example", 587, True)
    refused = runner.invoke(app, ["mail", "set", "imap", "--host", "mail.example"])
    assert refused.exit_code == 2 and "mail-user" in refused.stderr
