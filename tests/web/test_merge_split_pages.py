"""Merge, split and undo from the case page, the same through the API and the CLI, and
bulk changes from the inbox: each with its CSRF token and its role check."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.cli import app
from amends.clock import FrozenClock
from amends.db import transaction
from amends.people.models import User
from tests.conftest import Cast, Person
from tests.helpers import make_case, make_customer
from tests.web.test_pages import csrf_from, sign_in


def _message(client: TestClient, who: Person, case_id: int, text: str) -> int:
    response = client.post(
        "/api/v1/messages",
        json={"direction": "inbound", "channel": "email", "text": text, "case_id": case_id},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _timeline(client: TestClient, who: Person, case_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/cases/{case_id}/timeline", headers=who.headers)
    assert response.status_code == 200, response.text
    return list(response.json())


def test_an_agent_merges_from_the_case_page_the_old_ref_lands_on_the_target_and_undo_restores(
    client: TestClient, cast: Cast, clock: FrozenClock
) -> None:
    customer = make_customer(client, cast.owner)
    target = make_case(client, cast.owner, customer["id"], cast.agent.id, category="billing")
    source = make_case(client, cast.owner, customer["id"], cast.manager.id, category="quality")
    _message(client, cast.agent, target["id"], "Faktúra je zlá.")
    moved = _message(client, cast.agent, source["id"], "A tovar prišiel rozbitý.")
    sign_in(client, cast.agent.email)
    page = client.get(f"/cases/{source['id']}")
    token = csrf_from(page.text)
    assert f'action="/cases/{source["id"]}/merge"' in page.text
    assert f'value="{target["ref"]}"' in page.text  # offered as a target
    refused = client.post(
        f"/cases/{source['id']}/merge", data={"into": target["ref"], "csrf_token": "x"}
    )
    assert refused.status_code == 400
    merged = client.post(
        f"/cases/{source['id']}/merge",
        data={"into": target["ref"], "csrf_token": token},
        follow_redirects=False,
    )
    assert merged.status_code == 303
    assert merged.headers["location"].startswith(f"/cases/{target['id']}?done=merged")
    # The old ref keeps working: its page is the target's, with the undo offered.
    landed = client.get(f"/cases/{source['id']}")
    assert landed.url.path == f"/cases/{target['id']}"
    assert f'action="/cases/{source["id"]}/merge/undo"' in landed.text
    assert "A tovar prišiel rozbitý." in landed.text
    shown = client.get(f"/api/v1/cases/{source['id']}", headers=cast.agent.headers).json()
    assert shown["merged_into"]["id"] == target["id"] and shown["state"] == "closed"
    assert "merged_into" in [e["kind"] for e in _timeline(client, cast.agent, source["id"])]
    assert "merged_in" in [e["kind"] for e in _timeline(client, cast.agent, target["id"])]
    # Whoever owned the merged case takes part in the target now.
    joined = client.get(f"/api/v1/cases/{target['id']}", headers=cast.agent.headers).json()
    assert [p["user_id"] for p in joined["participants"]] == [cast.manager.id]

    clock.advance(timedelta(hours=2))
    undone = client.post(
        f"/cases/{source['id']}/merge/undo", data={"csrf_token": token}, follow_redirects=False
    )
    assert undone.status_code == 303
    back = client.get(f"/api/v1/messages?case_id={source['id']}", headers=cast.agent.headers)
    assert [m["id"] for m in back.json()["items"]] == [moved]
    assert (
        client.get(f"/api/v1/cases/{source['id']}", headers=cast.agent.headers).json()["state"]
        == source["state"]
    )
    again = client.get(f"/api/v1/cases/{target['id']}", headers=cast.agent.headers).json()
    assert again["participants"] == [] and again["merged_into"] is None


def test_bulk_category_through_the_api_changes_each_case_and_reports_refusals(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.owner)
    first = make_case(client, cast.owner, customer["id"], cast.agent.id, category="billing")
    second = make_case(client, cast.owner, customer["id"], cast.agent.id, category="billing")
    body = {"case_ids": [first["id"], second["id"], 999_999], "action": "category"}
    answer = client.post(
        "/api/v1/cases/bulk", json={**body, "category": "quality"}, headers=cast.agent.headers
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["done"] == [first["id"], second["id"]]
    assert [(r["case_id"], r["code"]) for r in result["refused"]] == [(999_999, "case-not-found")]
    for case in (first, second):
        kinds = [e["kind"] for e in _timeline(client, cast.agent, case["id"])]
        assert kinds[-1] == "updated"
    viewer = client.post(
        "/api/v1/cases/bulk", json={**body, "category": "other"}, headers=cast.viewer.headers
    )
    assert viewer.status_code == 403


def test_a_merge_across_customers_is_refused_on_the_page_in_the_users_language(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as s:
        s.execute(update(User).where(User.id == cast.agent.id).values(language="el"))
    one = make_customer(client, cast.owner)
    other = make_customer(
        client,
        cast.owner,
        name="Ζαχαροπλαστείο Ήλιος",
        language="el",
        contacts=[{"name": "Ελένη", "email": "eleni@ilios.example"}],
    )
    mine = make_case(client, cast.owner, one["id"], cast.agent.id)
    theirs = make_case(client, cast.owner, other["id"], cast.agent.id)
    sign_in(client, cast.agent.email)
    token = csrf_from(client.get(f"/cases/{mine['id']}").text)
    refused = client.post(
        f"/cases/{mine['id']}/merge", data={"into": theirs["ref"], "csrf_token": token}
    )
    assert refused.status_code == 409
    assert 'data-code="merge-other-customer"' in refused.text
    assert "not the same customer" not in refused.text  # said in Greek, not English
    api = client.post(
        f"/api/v1/cases/{mine['id']}/merge",
        json={"into": theirs["id"]},
        headers=cast.agent.headers,
    )
    assert api.status_code == 409 and api.json()["code"] == "merge-other-customer"


def test_split_through_the_page_and_the_api_opens_a_new_case_with_the_chosen_messages(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.owner)
    case = make_case(client, cast.owner, customer["id"], cast.agent.id)
    first = _message(client, cast.agent, case["id"], "Reporty neprišli.")
    second = _message(client, cast.agent, case["id"], "A ešte: faktúra má zlú sumu.")
    third = _message(client, cast.agent, case["id"], "A heslo do portálu nefunguje.")
    sign_in(client, cast.agent.email)
    token = csrf_from(client.get(f"/cases/{case['id']}").text)
    made = client.post(
        f"/cases/{case['id']}/split",
        data={
            "messages": [str(second)],
            "category": "billing",
            "owner": str(cast.manager.id),
            "title": "Zlá suma na faktúre",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    new_id = int(made.headers["location"].split("/cases/")[1].split("?")[0])
    new = client.get(f"/api/v1/cases/{new_id}", headers=cast.owner.headers).json()
    assert (new["category"], new["owner"]["id"], new["title"]) == (
        "billing",
        cast.manager.id,
        "Zlá suma na faktúre",
    )
    api = client.post(
        f"/api/v1/cases/{case['id']}/split",
        json={"message_ids": [third]},
        headers=cast.agent.headers,
    )
    assert api.status_code == 201, api.text
    left = client.get(f"/api/v1/messages?case_id={case['id']}", headers=cast.agent.headers)
    assert [m["id"] for m in left.json()["items"]] == [first]


def test_bulk_assign_from_the_inbox_hands_off_each_chosen_case_on_its_own_timeline(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.owner)
    chosen = [make_case(client, cast.owner, customer["id"], cast.agent.id) for _ in range(2)]
    untouched = make_case(client, cast.owner, customer["id"], cast.agent.id)
    sign_in(client, cast.owner.email)
    inbox = client.get("/cases?scope=all")
    token = csrf_from(inbox.text)
    assert 'action="/cases/bulk"' in inbox.text and 'name="case_ids"' in inbox.text
    form = {
        "case_ids": [str(c["id"]) for c in chosen],
        "action": "assign",
        "to_user_id": str(cast.manager.id),
        "reason": "Marek hovorí po slovensky a pozná zákazníka.",
        "back": "scope=all",
    }
    assert client.post("/cases/bulk", data={**form, "csrf_token": ""}).status_code == 400
    done = client.post("/cases/bulk", data={**form, "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/cases?scope=all&bulk_done=2&bulk_refused=0"
    assert 'role="status"' in client.get(done.headers["location"]).text
    for case in chosen:
        shown = client.get(f"/api/v1/cases/{case['id']}", headers=cast.owner.headers).json()
        assert shown["owner"]["id"] == cast.manager.id
        assert [e["kind"] for e in _timeline(client, cast.owner, case["id"])][-1] == "handoff"
    left = client.get(f"/api/v1/cases/{untouched['id']}", headers=cast.owner.headers).json()
    assert left["owner"]["id"] == cast.agent.id

    # A viewer may look but not change: refused, nothing moves.
    client.post("/signout", data={"csrf_token": token})
    sign_in(client, cast.viewer.email)
    viewer_page = client.get("/cases?scope=all")
    assert 'action="/cases/bulk"' not in viewer_page.text
    viewer_token = csrf_from(viewer_page.text)
    refused = client.post(
        "/cases/bulk",
        data={**form, "to_user_id": str(cast.agent.id), "csrf_token": viewer_token},
        follow_redirects=False,
    )
    assert "bulk_error=forbidden" in refused.headers["location"]
    for case in chosen:
        shown = client.get(f"/api/v1/cases/{case['id']}", headers=cast.owner.headers).json()
        assert shown["owner"]["id"] == cast.manager.id


runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)


def _run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_cli_merges_by_ref_undoes_and_splits(env: None) -> None:
    from amends.console import open_workspace
    from amends.customers import service as customers
    from amends.messages import service as messages
    from amends.messages.rules import Channel, Direction
    from amends.people import service as people
    from amends.people.rules import OPERATOR, Role
    from amends.recovery import flows

    ws = open_workspace()
    with ws.transaction() as s:
        agent = people.create_user(
            s, email="lucia@example.com", name="Lucia", role=Role.AGENT, now=ws.clock.now()
        )
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=ws.clock.now(),
            name="Kaviareň Dunaj",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
        )
        ids = []
        for title in ("Chýbajúca faktúra", "Faktúra stále chýba"):
            case = flows.open_case(
                s,
                actor=OPERATOR,
                now=ws.clock.now(),
                customer_id=customer.id,
                owner_id=agent.id,
                title=title,
                playbook=ws.playbook,
            )
            for text in ("Kde je faktúra?", "Prosím o faktúru."):
                messages.record_message(
                    s,
                    actor=OPERATOR,
                    now=ws.clock.now(),
                    direction=Direction.INBOUND,
                    channel=Channel.EMAIL,
                    text=text,
                    case_id=case.id,
                    playbook=ws.playbook,
                )
            ids.append(case.id)
    first, second = ids
    merged = _run(
        "cases",
        "merge",
        f"C-{second}",
        "--into",
        f"C-{first}",
        "--json",
        "--as",
        "lucia@example.com",
    )
    assert (merged["source_id"], merged["target_id"], merged["messages"]) == (second, first, 2)
    shown = _run("cases", "show", str(second), "--json")
    assert shown["merged_into"]["id"] == first
    _run("cases", "unmerge", f"C-{second}", "--json", "--as", "lucia@example.com")
    with ws.transaction() as s:
        mine = messages.list_messages(s, actor=OPERATOR, case_id=second).items
        message_ids = [m.id for m in mine]
    assert len(message_ids) == 2
    split = _run(
        "cases",
        "split",
        str(second),
        "--messages",
        str(message_ids[-1]),
        "--category",
        "billing",
        "--json",
        "--as",
        "lucia@example.com",
    )
    assert split["category"] == "billing" and split["customer_id"] == customer.id
