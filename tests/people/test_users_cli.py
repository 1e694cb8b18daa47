"""`amends users password`: a demo user (or anyone) gets a password they chose."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from amends.cli import app
from amends.console import open_workspace
from amends.errors import NotAuthenticated
from amends.people import service as people
from tests.cases.test_cases_cli import env

__all__ = ["env"]

runner = CliRunner()


def test_set_password_lets_the_user_sign_in_and_ends_old_sessions(env: None) -> None:
    code = runner.invoke(
        app,
        [
            "users",
            "add",
            "nok@example.com",
            "--name",
            "Nok",
            "--role",
            "agent",
            "--language",
            "th",
            "--password-stdin",
        ],
        input="first password 1\n",
    ).exit_code
    assert code == 0
    ws = open_workspace()
    with ws.transaction() as s:
        old_cookie, _ = people.sign_in(
            s, email="nok@example.com", password="first password 1", now=ws.clock.now()
        )

    result = runner.invoke(
        app, ["users", "password", "nok@example.com", "--password-stdin"], input="short\n"
    )
    assert result.exit_code == 2
    assert "at least 10 characters" in result.stderr

    result = runner.invoke(
        app,
        ["users", "password", "NOK@example.com", "--password-stdin"],
        input="ฉันเลือกรหัสนี้เอง\n",
    )
    assert result.exit_code == 0, result.output
    assert "password set for nok@example.com" in result.stdout
    with ws.transaction() as s:
        people.sign_in(s, email="nok@example.com", password="ฉันเลือกรหัสนี้เอง", now=ws.clock.now())
        with pytest.raises(NotAuthenticated):
            people.sign_in(
                s, email="nok@example.com", password="first password 1", now=ws.clock.now()
            )
        with pytest.raises(NotAuthenticated):
            people.web_session(s, old_cookie, now=ws.clock.now())


def test_set_password_for_nobody_is_refused(env: None) -> None:
    result = runner.invoke(
        app,
        ["users", "password", "ghost@example.com", "--password-stdin"],
        input="long enough pw\n",
    )
    assert result.exit_code == 1
    assert "no user with the email" in result.stderr
