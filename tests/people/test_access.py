"""What a manager sets for each person: their own compensation limit, their language, a
one-time link to choose a password, a token; from the API, the command line and the
settings page, each audited."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.audit.models import AuditEvent
from amends.cli import app
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.errors import InvalidInput, NotFound, PlaybookError
from amends.people import access
from amends.people import service as people
from amends.people.rules import OPERATOR
from amends.playbook import policy
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import csrf_from, sign_in


def _grant(client: TestClient, cast: Cast, amount: str) -> str:
    customer = make_customer(client, cast.agent)  # a Slovak customer paying in EUR
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    done = client.post(
        f"/api/v1/cases/{case['id']}/steps",
        headers=cast.agent.headers,
        json={
            "steps": ["acknowledge", "own", "remedy", "compensate"],
            "compensation": {"kind": "credit", "amount": amount, "rationale": "for the wait"},
            "call_note": "Called the customer: apologised, it was our mistake, fixed today.",
        },
    )
    assert done.status_code == 200, done.text
    listed = client.get(f"/api/v1/cases/{case['id']}/compensations", headers=cast.agent.headers)
    return str(listed.json()[0]["status"])


def test_an_agents_own_limit_takes_the_place_of_the_playbooks_in_that_currency(
    client: TestClient, cast: Cast
) -> None:
    # The playbook lets agents give 100 EUR; this agent's manager trusts them with 250.
    assert _grant(client, cast, "150") == "requested"
    put = client.put(
        f"/api/v1/users/{cast.agent.id}/limits/eur",
        headers=cast.manager.headers,
        json={"amount": "250"},
    )
    assert put.status_code == 200, put.text
    assert put.json()["limits"] == {"EUR": "250.00"}
    assert _grant(client, cast, "150") == "granted"
    assert _grant(client, cast, "251") == "requested"
    # Lowered to nothing: every amount waits for a manager.
    client.put(
        f"/api/v1/users/{cast.agent.id}/limits/EUR",
        headers=cast.manager.headers,
        json={"amount": "0"},
    )
    assert _grant(client, cast, "5") == "requested"
    # Removed: the playbook's 100 applies again.
    removed = client.put(
        f"/api/v1/users/{cast.agent.id}/limits/EUR",
        headers=cast.manager.headers,
        json={"amount": None},
    )
    assert removed.json()["limits"] == {}
    assert _grant(client, cast, "90") == "granted"


def test_only_a_manager_sets_limits_and_only_real_currencies(
    client: TestClient, cast: Cast
) -> None:
    mine = client.put(
        f"/api/v1/users/{cast.agent.id}/limits/EUR",
        headers=cast.agent.headers,
        json={"amount": "9"},
    )
    assert mine.status_code == 403
    bogus = client.put(
        f"/api/v1/users/{cast.agent.id}/limits/XYZ",
        headers=cast.manager.headers,
        json={"amount": "9"},
    )
    assert bogus.status_code == 422 and bogus.json()["code"] == "currency"
    negative = client.put(
        f"/api/v1/users/{cast.agent.id}/limits/EUR",
        headers=cast.manager.headers,
        json={"amount": "-1"},
    )
    assert negative.status_code == 422


def test_a_one_time_link_works_once_for_72_hours_and_a_new_one_replaces_it(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        agent = people.get_user(s, cast.agent.id)
        first = access.issue_link(s, actor=OPERATOR, user=agent, now=clock.now())
        second = access.issue_link(s, actor=OPERATOR, user=agent, now=clock.now())
    with transaction(sessions) as s, pytest.raises(NotFound):
        access.link_holder(s, first, now=clock.now())  # replaced by the second
    with transaction(sessions) as s:
        assert access.link_holder(s, second, now=clock.now()).id == cast.agent.id
        cookie, user = access.redeem_link(s, second, password="a brand new secret", now=clock.now())
        assert cookie and user.id == cast.agent.id
    with transaction(sessions) as s:
        token, _user = people.sign_in(
            s, email=cast.agent.email, password="a brand new secret", now=clock.now()
        )
        assert token
    with transaction(sessions) as s, pytest.raises(NotFound):
        access.redeem_link(s, second, password="yet another secret", now=clock.now())
    with transaction(sessions) as s:
        late = access.issue_link(
            s, actor=OPERATOR, user=people.get_user(s, cast.agent.id), now=clock.now()
        )
    clock.advance(access.LINK_LIFETIME + timedelta(seconds=1))
    with transaction(sessions) as s, pytest.raises(NotFound):
        access.link_holder(s, late, now=clock.now())
    with transaction(sessions) as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"user.link-issued", "user.password-set-by-link"} <= actions


def test_a_short_password_keeps_the_link_usable(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        link = access.issue_link(
            s, actor=OPERATOR, user=people.get_user(s, cast.viewer.id), now=clock.now()
        )
    with transaction(sessions) as s, pytest.raises(InvalidInput):
        access.redeem_link(s, link, password="short", now=clock.now())
    with transaction(sessions) as s:
        assert access.link_holder(s, link, now=clock.now()).id == cast.viewer.id


def test_the_api_gives_links_tokens_and_languages_to_managers_only(
    client: TestClient, cast: Cast
) -> None:
    link = client.post(f"/api/v1/users/{cast.agent.id}/access-link", headers=cast.manager.headers)
    assert link.status_code == 201, link.text
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/welcome/amw_[\w-]+", link.json()["url"])
    refused = client.post(
        f"/api/v1/users/{cast.manager.id}/access-link", headers=cast.agent.headers
    )
    assert refused.status_code == 403

    made = client.post(
        "/api/v1/tokens",
        headers=cast.manager.headers,
        json={"user_id": cast.agent.id, "name": "ci"},
    )
    assert made.status_code == 201, made.text
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {made.json()['token']}"})
    assert me.json()["email"] == cast.agent.email
    revoked = client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=cast.manager.headers)
    assert revoked.status_code == 200
    again = client.get("/api/v1/me", headers={"Authorization": f"Bearer {made.json()['token']}"})
    assert again.status_code == 401

    lang = client.put(
        f"/api/v1/users/{cast.agent.id}/language",
        headers=cast.manager.headers,
        json={"language": "sk"},
    )
    assert lang.status_code == 200 and lang.json()["language"] == "sk"
    wrong = client.put(
        f"/api/v1/users/{cast.agent.id}/language",
        headers=cast.manager.headers,
        json={"language": "xx"},
    )
    assert wrong.status_code == 422


def test_a_manager_adds_a_slovak_agent_on_the_settings_page_who_then_chooses_a_password(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.manager.email)
    page = client.get("/settings/people")
    added = client.post(
        "/settings/people",
        data={
            "name": "Zuzana Nováková",
            "email": "zuzana@example.com",
            "role": "agent",
            "language": "sk",
            "limit": "100",
            "currency": "EUR",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert added.status_code == 200, added.text
    link = re.search(r'value="(http://testserver/welcome/amw_[\w-]+)"', added.text)
    assert link is not None
    assert "Zuzana Nováková" in added.text and "100" in added.text

    client.cookies.clear()
    path = link.group(1).removeprefix("http://testserver")
    welcome = client.get(path)
    assert welcome.status_code == 200 and 'lang="sk"' in welcome.text
    assert "Zvoľte si heslo" in welcome.text
    mismatch = client.post(
        path,
        data={
            "password": "a long slovak secret",
            "repeat": "something else entirely",
            "csrf_token": csrf_from(welcome.text),
        },
    )
    assert mismatch.status_code == 400 and "Heslá sa nezhodujú." in mismatch.text
    chosen = client.post(
        path,
        data={
            "password": "a long slovak secret",
            "repeat": "a long slovak secret",
            "csrf_token": csrf_from(welcome.text),
        },
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    inbox = client.get("/cases")
    assert inbox.status_code == 200 and '<html lang="sk">' in inbox.text
    # Used once: the same link now explains itself, in the reader's language.
    client.cookies.clear()
    spent = client.get(path, headers={"Accept-Language": "el"})
    assert spent.status_code == 404 and "έχει λήξει" in spent.text


def test_adding_someone_with_a_bad_limit_adds_nobody(client: TestClient, cast: Cast) -> None:
    sign_in(client, cast.manager.email)
    page = client.get("/settings/people")
    refused = client.post(
        "/settings/people",
        data={
            "name": "Nobody",
            "email": "nobody@example.com",
            "role": "agent",
            "limit": "100",
            "currency": "QQQ",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert refused.status_code == 422
    users = client.get("/api/v1/users", headers=cast.manager.headers).json()
    assert "nobody@example.com" not in {u["email"] for u in users}


def test_the_command_line_sets_limits_languages_and_makes_links(
    tmp_path: Path, cast: Cast, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    runner = CliRunner()
    limit = runner.invoke(app, ["users", "set-limit", cast.agent.email, "THB", "3500", "--json"])
    assert limit.exit_code == 0, limit.output
    assert json.loads(limit.output)["limits"] == {"THB": "3500.00"}
    lang = runner.invoke(app, ["users", "set-language", cast.agent.email, "th"])
    assert lang.exit_code == 0 and "th" in lang.output
    link = runner.invoke(app, ["users", "link", cast.agent.email, "--json"])
    assert link.exit_code == 0, link.output
    assert "/welcome/amw_" in json.loads(link.output)["url"]
    none = runner.invoke(app, ["users", "set-limit", cast.agent.email, "THB", "--none"])
    assert none.exit_code == 0 and "the playbook's" in none.output


def test_a_manager_saves_a_playbook_in_the_browser_and_a_bad_one_is_refused_as_at_start(
    client: TestClient, cast: Cast, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, cast.manager.email)
    page = client.get("/settings/playbook")
    assert page.status_code == 200 and "[severity.critical]" in page.text
    shipped = policy.text_of(settings.home)[0]
    broken = shipped.replace("acknowledge = 30,", "acknowledge = -30,")
    assert broken != shipped
    with pytest.raises(PlaybookError) as at_start:
        policy.parse(broken, source="playbook.toml")
    refused = client.post(
        "/settings/playbook", data={"text": broken, "csrf_token": csrf_from(page.text)}
    )
    assert refused.status_code == 422
    assert html.escape(str(at_start.value), quote=False) in refused.text
    assert not (settings.home / "playbook.toml").exists()

    # A manager trusts agents with more: the next compensation follows at once.
    generous = shipped.replace("agent_limit = { workspace = 100 }", "agent_limit = { EUR = 500 }")
    saved = client.post(
        "/settings/playbook",
        data={"text": generous.replace("\n", "\r\n"), "csrf_token": csrf_from(page.text)},
    )
    assert saved.status_code == 200, saved.text
    stored = settings.home / "playbook.toml"
    assert stored.read_text(encoding="utf-8") == generous
    assert stored.stat().st_mode & 0o777 == 0o600
    assert _grant(client, cast, "400") == "granted"
    with transaction(sessions) as s:
        saves = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "playbook.saved")))
    assert [e.actor_id for e in saves] == [cast.manager.id]


def test_agents_may_not_open_or_save_the_playbook(client: TestClient, cast: Cast) -> None:
    sign_in(client, cast.agent.email)
    assert client.get("/settings/playbook").status_code == 403
