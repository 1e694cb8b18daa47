"""Patterns, themes, corrective actions and the compensation ledger over the API, and who
may see and change them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.clock import FrozenClock
from amends.db import transaction
from amends.people.rules import OPERATOR
from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.patterns.helpers import COURIER


def _cluster(client: TestClient, cast: Cast) -> list[dict[str, Any]]:
    made = []
    for shop in COURIER:
        customer = make_customer(
            client,
            cast.agent,
            name=shop.name,
            language=shop.language,
            timezone=shop.timezone,
            currency=shop.currency,
            recurring_value=shop.monthly,
            contacts=[],
        )
        made.append(
            make_case(
                client,
                cast.agent,
                customer["id"],
                cast.agent.id,
                title=shop.complaint,
                category="quality",
                severity="high",
            )
        )
    return made


def _action(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "root_cause": "Rychlo Expres drivers leave parcels when nobody answers",
        "change_kind": "quality_check",
        "description": "parcels are handed over in person and photographed",
        "owner_email": "manager@example.com",
        "due_on": "2026-06-01",
        "pattern_ids": [1],
    }
    body.update(overrides)
    return body


def test_the_change_step_is_refused_with_a_problem_until_an_action_exists(
    client: TestClient, cast: Cast
) -> None:
    made = _cluster(client, cast)
    case_id = made[0]["id"]
    done = client.post(
        f"/api/v1/cases/{case_id}/steps",
        headers=cast.agent.headers,
        json={
            "call_note": "Called the customer.",
            "steps": ["own", "remedy", "compensate"],
            "compensation": {"kind": "gift", "rationale": "new vases by hand"},
        },
    )
    assert done.status_code == 200, done.text
    refused = client.post(
        f"/api/v1/cases/{case_id}/steps",
        headers=cast.agent.headers,
        json={"call_note": "Called the customer.", "steps": ["explain-change"]},
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "corrective-action-missing"

    patterns = client.get("/api/v1/patterns", headers=cast.viewer.headers).json()
    (pattern,) = patterns["items"]
    assert (pattern["ref"], pattern["customers"], pattern["status"]) == ("P-1", 5, "open")
    assert (
        client.get("/api/v1/patterns?status=resolved", headers=cast.viewer.headers).json()["items"]
        == []
    )

    created = client.post("/api/v1/actions", headers=cast.agent.headers, json=_action())
    assert created.status_code == 201, created.text
    action = created.json()
    assert (action["ref"], action["status"], action["pattern_ids"]) == ("A-1", "planned", [1])
    assert action["owner"]["email"] == "manager@example.com"
    assert action["verification"]["verdict"] == "not_done"
    pattern = client.get("/api/v1/patterns/1", headers=cast.viewer.headers).json()
    assert (pattern["status"], pattern["action_ids"]) == ("addressed", [1])

    allowed = client.post(
        f"/api/v1/cases/{case_id}/steps",
        headers=cast.agent.headers,
        json={"call_note": "Called the customer.", "steps": ["explain-change"]},
    )
    assert allowed.status_code == 200, allowed.text
    kinds = [
        e["kind"]
        for e in client.get(f"/api/v1/cases/{case_id}/timeline", headers=cast.viewer.headers).json()
    ]
    assert "pattern_joined" in kinds and "corrective_action_linked" in kinds

    moved = client.post(
        "/api/v1/actions/1/status", headers=cast.manager.headers, json={"status": "verified"}
    )
    assert moved.status_code == 409 and moved.json()["code"] == "invalid-transition"
    moved = client.post(
        "/api/v1/actions/1/status", headers=cast.manager.headers, json={"status": "done"}
    )
    assert moved.status_code == 200 and moved.json()["verification"]["verdict"] == "watching"

    themes = client.get("/api/v1/themes?days=30", headers=cast.viewer.headers).json()
    assert [(t["kind"], t["key"]) for t in themes["themes"]] == [
        ("category", "quality"),
        ("pattern", "P-1"),
    ]
    assert themes["themes"][0]["revenue_at_stake"] == {
        "EUR": "400.00",
        "GBP": "300.00",
        "THB": "4500.00",
    }
    ledger = client.get("/api/v1/reports/compensation", headers=cast.viewer.headers).json()
    assert ledger["total"]["compensations"] == 1 and ledger["total"]["given"] == {"EUR": "0.00"}


def test_bad_action_input_is_422_and_unknown_links_404(client: TestClient, cast: Cast) -> None:
    _cluster(client, cast)
    for body, status, code in [
        (_action(owner_email="nobody@example.com"), 422, "owner-not-found"),
        (_action(owner_email="viewer@example.com"), 422, "owner-not-allowed"),
        (_action(pattern_ids=[]), 422, "action-unlinked"),
        (_action(pattern_ids=[77]), 404, "pattern-not-found"),
        (_action(case_ids=[99999]), 404, "case-not-found"),
    ]:
        response = client.post("/api/v1/actions", headers=cast.agent.headers, json=body)
        assert (response.status_code, response.json().get("code")) == (status, code), body
    wrong_kind = client.post(
        "/api/v1/actions", headers=cast.agent.headers, json=_action(change_kind="prayer")
    )
    assert wrong_kind.status_code == 422


def test_viewer_reads_employee_sees_only_their_own(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    made = _cluster(client, cast)
    other_customer = make_customer(client, cast.agent, name="Iná firma")
    lone = make_case(client, cast.agent, other_customer["id"], cast.agent.id, title="Faktúra")
    with transaction(sessions) as s:
        case = cases.get_case(s, made[1]["id"], actor=OPERATOR)
        cases.add_participant(
            s, case=case, user_id=cast.employee.id, reason="named", actor=OPERATOR, now=clock.now()
        )
    for_pattern = client.post("/api/v1/actions", headers=cast.agent.headers, json=_action())
    assert for_pattern.status_code == 201
    elsewhere = client.post(
        "/api/v1/actions",
        headers=cast.agent.headers,
        json=_action(pattern_ids=[], case_ids=[lone["id"]], owner_email="agent@example.com"),
    )
    assert elsewhere.status_code == 201
    theirs = client.post(
        "/api/v1/actions",
        headers=cast.agent.headers,
        json=_action(pattern_ids=[], case_ids=[lone["id"]], owner_email="employee@example.com"),
    )
    assert theirs.status_code == 201

    # A viewer reads everything and changes nothing.
    for path in ("/api/v1/patterns", "/api/v1/themes", "/api/v1/actions", "/api/v1/actions/1"):
        assert client.get(path, headers=cast.viewer.headers).status_code == 200, path
    assert client.get("/api/v1/reports/compensation", headers=cast.viewer.headers).status_code == (
        200
    )
    assert (
        client.post("/api/v1/actions", headers=cast.viewer.headers, json=_action()).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/actions/1/status", headers=cast.viewer.headers, json={"status": "done"}
        ).status_code
        == 403
    )

    # The employee named in one complaint sees the pattern through that case only.
    (pattern,) = client.get("/api/v1/patterns", headers=cast.employee.headers).json()["items"]
    assert pattern["case_ids"] == [made[1]["id"]] and pattern["customers"] == 5
    assert pattern["title"] == COURIER[1].complaint  # their own case's words, no one else's
    listed = client.get("/api/v1/actions", headers=cast.employee.headers).json()["items"]
    assert sorted(a["id"] for a in listed) == [for_pattern.json()["id"], theirs.json()["id"]]
    hidden = client.get(f"/api/v1/actions/{elsewhere.json()['id']}", headers=cast.employee.headers)
    assert hidden.status_code == 404  # like a missing one
    assert client.get("/api/v1/themes", headers=cast.employee.headers).status_code == 403
    assert (
        client.get("/api/v1/reports/compensation", headers=cast.employee.headers).status_code == 403
    )
    assert (
        client.post("/api/v1/actions", headers=cast.employee.headers, json=_action()).status_code
        == 403
    )
    # ...and reports progress on the action they own, but not on others.
    mine = client.post(
        f"/api/v1/actions/{theirs.json()['id']}/status",
        headers=cast.employee.headers,
        json={"status": "in_progress", "note": "new checklist at the door"},
    )
    assert mine.status_code == 200 and mine.json()["status"] == "in_progress"
    assert mine.json()["case_ids"] == []  # the case it fixes is not one of theirs
    not_mine = client.post(
        f"/api/v1/actions/{for_pattern.json()['id']}/status",
        headers=cast.employee.headers,
        json={"status": "in_progress"},
    )
    assert not_mine.status_code == 403


def test_outsider_without_token_sees_nothing(client: TestClient, cast: Cast) -> None:
    for path in (
        "/api/v1/patterns",
        "/api/v1/patterns/1",
        "/api/v1/themes",
        "/api/v1/actions",
        "/api/v1/actions/1",
        "/api/v1/reports/compensation",
    ):
        assert client.get(path).status_code == 401, path
    assert client.post("/api/v1/actions", json=_action()).status_code == 401
