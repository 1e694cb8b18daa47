"""Create, read, update and list every resource through the JSON API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from amends.clock import FrozenClock
from tests.conftest import Cast
from tests.helpers import make_case, make_customer


def test_customer_round_trip_keeps_unicode_and_money(client: TestClient, cast: Cast) -> None:
    created = make_customer(
        client, cast.agent, name="Ρεστοράν Ηλιοβασίλεμα", language="el", timezone="Europe/Athens"
    )
    assert created["name"] == "Ρεστοράν Ηλιοβασίλεμα"
    assert created["recurring_value"] == "200.00"
    assert created["contacts"][0]["email"] == "jan@pekaren-novak.example"

    got = client.get(f"/api/v1/customers/{created['id']}", headers=cast.viewer.headers)
    assert got.status_code == 200
    assert got.json()["timezone"] == "Europe/Athens"

    patched = client.patch(
        f"/api/v1/customers/{created['id']}",
        json={"status": "at_risk", "tier": "gold"},
        headers=cast.agent.headers,
    )
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["tier"]) == ("at_risk", "gold")


def test_customer_list_filters_and_pages(client: TestClient, cast: Cast) -> None:
    for i in range(5):
        make_customer(
            client,
            cast.agent,
            name=f"ร้านกาแฟ สาขา {i}",
            language="th",
            timezone="Asia/Bangkok",
            currency="THB",
            contacts=[{"name": "สมชาย", "email": f"somchai{i}@cafe.example"}],
        )
    make_customer(client, cast.agent, name="Kitchen Co", language="en", status="lost", contacts=[])
    page = client.get("/api/v1/customers?limit=2&language=th", headers=cast.viewer.headers)
    body = page.json()
    assert [c["language"] for c in body["items"]] == ["th", "th"]
    assert body["next_offset"] == 2
    last = client.get(
        "/api/v1/customers?limit=2&offset=4&language=th", headers=cast.viewer.headers
    ).json()
    assert len(last["items"]) == 1 and last["next_offset"] is None
    lost = client.get("/api/v1/customers?status=lost", headers=cast.viewer.headers).json()
    assert [c["name"] for c in lost["items"]] == ["Kitchen Co"]
    by_email = client.get("/api/v1/customers?q=somchai3", headers=cast.viewer.headers).json()
    assert [c["name"] for c in by_email["items"]] == ["ร้านกาแฟ สาขา 3"]


def test_commitments_and_deliveries(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    monthly = client.post(
        "/api/v1/commitments",
        headers=cast.agent.headers,
        json={
            "customer_id": customer["id"],
            "title": "Mesačný marketingový report",
            "kind": "recurring_service",
            "currency": "EUR",
            "due_at": "2026-02-05T09:00:00+01:00",
            "rrule": "FREQ=MONTHLY;BYMONTHDAY=5",
            "grace_hours": 48,
            "owner_id": cast.agent.id,
            "value": "200.00",
        },
    )
    assert monthly.status_code == 201, monthly.text
    assert monthly.json()["due_at"].startswith("2026-02-05T08:00:00")

    no_rule = client.post(
        "/api/v1/commitments",
        headers=cast.agent.headers,
        json={
            "customer_id": customer["id"],
            "title": "Reports",
            "kind": "recurring_service",
            "currency": "EUR",
            "due_at": "2026-02-05T09:00:00+01:00",
        },
    )
    assert no_rule.status_code == 422
    assert no_rule.json()["code"] == "schedule-invalid"

    bad_rule = client.post(
        "/api/v1/commitments",
        headers=cast.agent.headers,
        json={
            "customer_id": customer["id"],
            "title": "Reports",
            "kind": "recurring_service",
            "currency": "EUR",
            "due_at": "2026-02-05T09:00:00+01:00",
            "rrule": "FREQ=SOMETIMES",
        },
    )
    assert bad_rule.status_code == 422

    path = f"/api/v1/commitments/{monthly.json()['id']}"
    ended = client.patch(path, headers=cast.agent.headers, json={"status": "ended"})
    assert (ended.status_code, ended.json()["status"]) == (200, "ended")
    revived = client.patch(path, headers=cast.agent.headers, json={"status": "active"})
    assert (revived.status_code, revived.json()["code"]) == (409, "invalid-transition")
    assert client.get(path, headers=cast.agent.headers).json()["status"] == "ended"

    delivery = client.post(
        "/api/v1/deliveries",
        headers=cast.agent.headers,
        json={
            "commitment_id": monthly.json()["id"],
            "delivered_at": "2026-02-05T10:00:00+01:00",
            "note": "Report odoslaný e-mailom",
        },
    )
    assert delivery.status_code == 201, delivery.text
    listed = client.get(
        f"/api/v1/deliveries?commitment_id={monthly.json()['id']}", headers=cast.viewer.headers
    ).json()
    assert [d["note"] for d in listed["items"]] == ["Report odoslaný e-mailom"]
    assert delivery.json()["by_user_id"] == cast.agent.id


def test_case_lifecycle_and_timeline(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    assert case["ref"] == f"C-{case['id']}"
    assert case["state"] == "new"
    assert case["owner"]["email"] == "agent@example.com"

    msg = client.post(
        "/api/v1/messages",
        headers=cast.agent.headers,
        json={
            "direction": "inbound",
            "channel": "email",
            "case_id": case["id"],
            "subject": "Kde sú moje reporty?",
            "text": "Dobrý deň, za tri mesiace som nedostal ani jeden report.",
            "language": "sk",
        },
    )
    assert msg.status_code == 201, msg.text
    assert msg.json()["customer_id"] == customer["id"]

    step = client.post(
        f"/api/v1/cases/{case['id']}/steps",
        headers=cast.agent.headers,
        json={
            "call_note": "Called the customer.",
            "steps": ["own"],
            "note": "Ospravedlnenie odoslané",
        },
    )
    assert step.status_code == 200, step.text
    assert step.json()["done"] == ["acknowledge", "own"]
    assert step.json()["case"]["acknowledged_at"] is not None

    back = client.post(
        f"/api/v1/cases/{case['id']}/steps",
        headers=cast.agent.headers,
        json={"call_note": "Called the customer.", "steps": ["acknowledge"]},
    )
    assert back.status_code == 409
    assert back.json()["code"] == "invalid-transition"
    assert "already done: acknowledge" in back.json()["detail"]

    skipping = client.post(
        f"/api/v1/cases/{case['id']}/steps",
        headers=cast.agent.headers,
        json={"call_note": "Called the customer.", "steps": ["close"], "outcome": "retained"},
    )
    assert skipping.status_code == 409
    assert "requires remedy, compensate" in skipping.json()["detail"]

    kinds = [
        e["kind"]
        for e in client.get(
            f"/api/v1/cases/{case['id']}/timeline", headers=cast.viewer.headers
        ).json()
    ]
    # The call that acknowledged it is on the timeline, before the steps it did.
    assert kinds == ["opened", "message_inbound", "message_outbound", "step", "step"]

    changing_owner = client.patch(
        f"/api/v1/cases/{case['id']}",
        headers=cast.agent.headers,
        json={"owner_id": cast.manager.id},
    )
    assert changing_owner.status_code == 422  # extra field: ownership moves by hand-off only


def test_case_list_filters(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    mine = make_case(client, cast.agent, customer["id"], cast.agent.id)
    # A different failure: the same title would make it a repeat and raise its severity.
    make_case(
        client,
        cast.agent,
        customer["id"],
        cast.manager.id,
        title="Faktúra za apríl prišla dvakrát",
        severity="low",
        category="billing",
    )
    only_agent = client.get(
        f"/api/v1/cases?owner_id={cast.agent.id}", headers=cast.viewer.headers
    ).json()
    assert [c["id"] for c in only_agent["items"]] == [mine["id"]]
    low = client.get("/api/v1/cases?severity=low", headers=cast.viewer.headers).json()
    assert [c["owner"]["id"] for c in low["items"]] == [cast.manager.id]
    open_ = client.get("/api/v1/cases?open=false", headers=cast.viewer.headers).json()
    assert open_["items"] == []


def test_employee_cannot_own_a_case(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    response = client.post(
        "/api/v1/cases",
        headers=cast.agent.headers,
        json={
            "customer_id": customer["id"],
            "owner_id": cast.employee.id,
            "title": "x",
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "owner-not-allowed"


def test_escalation_reaches_the_manager_and_the_owner_through_the_api(
    client: TestClient, cast: Cast, clock: FrozenClock
) -> None:
    from datetime import timedelta

    from amends.cases import clocks
    from amends.db import transaction

    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    clock.advance(timedelta(hours=2))
    with transaction(client.app.state.sessions) as s:  # type: ignore[attr-defined]
        clocks.escalate_breaches(s, now=clock.now())
    mine = client.get("/api/v1/notifications", headers=cast.manager.headers).json()
    assert [(n["kind"], n["case_id"]) for n in mine] == [("sla_breached", case["id"])]
    owners = client.get("/api/v1/notifications", headers=cast.agent.headers).json()
    assert [(n["kind"], n["case_id"]) for n in owners] == [("sla_breached", case["id"])]
    assert owners[0]["id"] != mine[0]["id"]
    other = client.post(f"/api/v1/notifications/{mine[0]['id']}/read", headers=cast.agent.headers)
    assert other.status_code == 404  # not the agent's notification
    done = client.post(f"/api/v1/notifications/{mine[0]['id']}/read", headers=cast.manager.headers)
    assert done.status_code == 204
    assert client.get("/api/v1/notifications", headers=cast.manager.headers).json() == []


def test_case_list_rows_equal_the_case_itself(client: TestClient, cast: Cast) -> None:
    # The list builds its rows without the response model; each must still read exactly
    # like the case fetched on its own (times, owner, steps, repeats, flags).
    customer = make_customer(client, cast.agent)
    first = make_case(client, cast.agent, customer["id"], cast.agent.id)
    second = make_case(
        client,
        cast.agent,
        customer["id"],
        cast.agent.id,
        title="Objednávka prišla neúplná",
        opened_at="2026-05-04T08:59:30.123456+00:00",
    )
    third = make_case(
        client, cast.agent, customer["id"], cast.agent.id, severity="low", title="ส่งของช้า"
    )
    done = client.post(
        f"/api/v1/cases/{first['id']}/steps",
        headers=cast.agent.headers,
        json={
            "call_note": "Called the customer.",
            "steps": ["acknowledge", "own"],
            "note": "Volal som zákazníkovi.",
        },
    )
    assert done.status_code == 200, done.text
    listed = client.get(
        f"/api/v1/cases?owner_id={cast.agent.id}&open=true&sort=urgency",
        headers=cast.agent.headers,
    )
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert {c["id"] for c in items} == {first["id"], second["id"], third["id"]}
    for item in items:
        alone = client.get(f"/api/v1/cases/{item['id']}", headers=cast.agent.headers).json()
        # The case alone carries more (its view); what the list shows must agree with it.
        alone["repeat_of"] = [earlier["id"] for earlier in alone["repeat_of"]]
        assert item == {key: alone[key] for key in item}
    assert [c["urgency_at"] for c in items] == sorted(c["urgency_at"] for c in items)
    by_id = {c["id"]: c for c in items}
    assert by_id[first["id"]]["steps_done"] == ["acknowledge", "own"]
    assert by_id[second["id"]]["opened_at"].endswith(".123456Z")


def test_true_is_no_id_anywhere_in_the_api(client: TestClient, cast: Cast) -> None:
    # JSON's true read leniently is the number 1: a case, a promise or a message would have
    # gone to customer 1 or case 1. Every request model's id refuses it, as surveys' did.
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    refused = [
        ("/api/v1/cases", {"customer_id": True, "title": "Chýba report", "severity": "low"}),
        (
            "/api/v1/commitments",
            {"customer_id": True, "title": "Report", "kind": "deliverable"}
            | {"due_at": "2026-02-05T09:00:00+01:00"},
        ),
        (
            "/api/v1/messages",
            {"direction": "inbound", "channel": "email", "case_id": True, "text": "Dobrý deň"},
        ),
        (f"/api/v1/cases/{case['id']}/handoff", {"to_user_id": True, "reason": "na dovolenke"}),
    ]
    for path, body in refused:
        answer = client.post(path, json=body, headers=cast.agent.headers)
        assert answer.status_code == 422, (path, answer.text)
        assert "not true or false" in answer.text, answer.text
    # A number, as ever, and a number sent as digits, are ids.
    for customer_id in (customer["id"], str(customer["id"])):
        made = client.post(
            "/api/v1/cases",
            json={"customer_id": customer_id, "title": "Chýba report", "severity": "low"},
            headers=cast.agent.headers,
        )
        assert made.status_code == 201, made.text
