"""Teams: "my team" in the inbox is the cases of the people I work with, set from the
API, the command line and the settings page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from amends.cli import app
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import csrf_from, sign_in


def _refs(html: str) -> set[str]:
    return set(re.findall(r'<td class="ref"><a href="/cases/\d+">(C-\d+)</a>', html))


def test_my_team_is_the_cases_my_teammates_own_and_no_one_elses(
    client: TestClient, cast: Cast
) -> None:
    desk = client.post("/api/v1/teams", headers=cast.manager.headers, json={"name": "Desk TH"})
    assert desk.status_code == 201, desk.text
    for person in (cast.agent, cast.owner):
        put = client.put(
            f"/api/v1/users/{person.id}/team",
            headers=cast.manager.headers,
            json={"team_id": desk.json()["id"]},
        )
        assert put.status_code == 200, put.text
    customer = make_customer(client, cast.agent)
    mine = make_case(client, cast.agent, customer["id"], cast.agent.id)
    teammates = make_case(client, cast.agent, customer["id"], cast.owner.id)
    outsiders = make_case(client, cast.agent, customer["id"], cast.manager.id)
    ref = {k: f"C-{c['id']}" for k, c in (("m", mine), ("t", teammates), ("o", outsiders))}

    sign_in(client, cast.agent.email)
    assert _refs(client.get("/cases?scope=team").text) == {ref["m"], ref["t"]}
    assert _refs(client.get("/cases?scope=mine").text) == {ref["m"]}
    # Out of the team, "my team" is only what I own or take part in.
    client.put(
        f"/api/v1/users/{cast.agent.id}/team", headers=cast.manager.headers, json={"team_id": None}
    )
    assert _refs(client.get("/cases?scope=team").text) == {ref["m"]}


def test_only_owners_and_managers_make_teams_or_move_people(client: TestClient, cast: Cast) -> None:
    refused = client.post("/api/v1/teams", headers=cast.agent.headers, json={"name": "Mine"})
    assert refused.status_code == 403
    made = client.post("/api/v1/teams", headers=cast.owner.headers, json={"name": "  Desk  SK "})
    assert made.json()["name"] == "Desk SK"
    again = client.post("/api/v1/teams", headers=cast.owner.headers, json={"name": "Desk SK"})
    assert again.status_code == 409 and again.json()["code"] == "team-exists"
    moved = client.put(
        f"/api/v1/users/{cast.agent.id}/team",
        headers=cast.agent.headers,
        json={"team_id": made.json()["id"]},
    )
    assert moved.status_code == 403
    listed = client.get("/api/v1/teams", headers=cast.viewer.headers)
    assert [t["name"] for t in listed.json()] == ["Desk SK"]


def test_teams_from_the_command_line(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    runner = CliRunner()
    added = runner.invoke(
        app, ["users", "add", "nok@example.com", "--name", "Nok", "--role", "agent"]
    )
    assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["teams", "add", "Desk TH"]).exit_code == 0
    joined = runner.invoke(app, ["users", "set-team", "nok@example.com", "Desk TH"])
    assert joined.exit_code == 0, joined.output
    assert "nok@example.com is in Desk TH" in joined.stdout
    listed = runner.invoke(app, ["teams", "list", "--json"])
    assert json.loads(listed.stdout)["members"] == ["nok@example.com"]
    unknown = runner.invoke(app, ["users", "set-team", "nok@example.com", "Nowhere"])
    assert unknown.exit_code == 1 and "no-such-team" in unknown.stderr
    left = runner.invoke(app, ["users", "set-team", "nok@example.com", "--none"])
    assert left.exit_code == 0 and "in no team" in left.stdout


def test_a_manager_makes_a_team_and_moves_people_from_the_settings_page(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.manager.email)
    csrf = csrf_from(client.get("/settings/people").text)
    made = client.post("/settings/teams", data={"name": "Desk EL", "csrf_token": csrf})
    assert made.status_code == 200 and "Team Desk EL added." in made.text
    team_id = client.get("/api/v1/teams", headers=cast.manager.headers).json()[0]["id"]
    moved = client.post(
        f"/settings/people/{cast.agent.id}/team", data={"team_id": team_id, "csrf_token": csrf}
    )
    assert moved.status_code == 200
    assert f'<option value="{team_id}" selected>Desk EL</option>' in moved.text
    without = client.post(f"/settings/people/{cast.agent.id}/team", data={"team_id": ""})
    assert without.status_code == 400  # no CSRF token, nothing changed
    client.post("/me/language", data={"language": "el", "csrf_token": csrf})
    out = client.post(
        f"/settings/people/{cast.agent.id}/team", data={"team_id": "", "csrf_token": csrf}
    )
    assert out.status_code == 200 and "no team now" not in out.text
    assert "selected>Desk EL" not in out.text


def test_the_new_team_field_is_named_by_its_own_label_on_the_people_page(
    client: TestClient, cast: Cast
) -> None:
    # Two fields shared one id: "New team" named the new person's team picker instead.
    sign_in(client, cast.manager.email)
    page = client.get("/settings/people").text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)
    named = re.search(r'<label for="([^"]+)">New team</label>', page)
    assert named is not None
    assert re.search(rf'<input type="text" name="name" id="{named.group(1)}"', page)
