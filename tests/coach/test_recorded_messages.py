"""Every outbound text is coached, whichever endpoint records it: POST /messages too."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.helpers import make_case, make_customer

BLAME = "Ospravedlňujeme sa, ale kuriér doručil balík neskoro, je to jeho chyba."


def _record(client: TestClient, cast: Cast, case_id: int, **extra: Any) -> Any:
    return client.post(
        "/api/v1/messages",
        headers=cast.agent.headers,
        json={
            "direction": "outbound",
            "channel": "email",
            "case_id": case_id,
            "subject": "Re: reporty",
            "text": BLAME,
            "language": "sk",
            **extra,
        },
    )


def test_an_outbound_message_recorded_through_the_api_passes_the_coach_or_says_why_not(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id)
    refused = _record(client, cast, case["id"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "coach-findings"
    assert "blame-third-party" in refused.json()["detail"]
    messages = client.get(f"/api/v1/messages?case_id={case['id']}", headers=cast.agent.headers)
    assert messages.json()["items"] == []

    sent = _record(client, cast, case["id"], override_reason="The customer asked who delivered it")
    assert sent.status_code == 201, sent.text
    timeline = client.get(f"/api/v1/cases/{case['id']}/timeline", headers=cast.agent.headers)
    overrides = [e for e in timeline.json() if e["kind"] == "coach_override"]
    assert [(e["note"], e["data"]["message_id"]) for e in overrides] == [
        ("The customer asked who delivered it", sent.json()["id"])
    ]
    # What customers write is theirs: an inbound message is never coached.
    inbound = client.post(
        "/api/v1/messages",
        headers=cast.agent.headers,
        json={"direction": "inbound", "case_id": case["id"], "text": BLAME, "language": "sk"},
    )
    assert inbound.status_code == 201, inbound.text
