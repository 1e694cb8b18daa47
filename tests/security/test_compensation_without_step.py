"""Finding (lesser): a reply carrying a compensation but not the compensate step dropped
the compensation silently. The compensation is recorded by the compensate step (with
its limit and approval), so without that step it is now refused with a clear 422, and
nothing of the reply is kept."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.helpers import make_case, make_customer

GIFT = {"kind": "credit", "amount": "20.00", "currency": "EUR", "rationale": "za meškanie"}
APOLOGY = "Je to naša chyba, prepáčte. Posielame kredit a reporty zajtra ráno."


def test_a_reply_with_a_compensation_but_no_compensate_step_is_refused(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    for steps in ([], ["acknowledge"]):
        refused = client.post(
            f"/api/v1/cases/{case['id']}/replies",
            json={"text": APOLOGY, "steps": steps, "compensation": GIFT},
            headers=cast.agent.headers,
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "compensation-without-step"
    listed = client.get(
        "/api/v1/messages", params={"case_id": case["id"]}, headers=cast.agent.headers
    )
    assert listed.json()["items"] == []
    given = client.get(f"/api/v1/cases/{case['id']}/compensations", headers=cast.agent.headers)
    assert given.json() == []


def test_steps_with_a_compensation_but_no_compensate_step_are_refused(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    refused = client.post(
        f"/api/v1/cases/{case['id']}/steps",
        json={"steps": ["own"], "compensation": GIFT},
        headers=cast.agent.headers,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "compensation-without-step"


def test_a_reply_with_the_compensate_step_records_the_compensation(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    sent = client.post(
        f"/api/v1/cases/{case['id']}/replies",
        json={
            "text": APOLOGY,
            "steps": ["acknowledge", "own", "remedy", "compensate"],
            "compensation": GIFT,
        },
        headers=cast.agent.headers,
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["compensation_id"] is not None
