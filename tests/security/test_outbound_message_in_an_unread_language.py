"""An outbound message recorded through ``POST /api/v1/messages`` in a language the coach
does not read (a German tag, or a tag that names no language) is checked in the
language of its text, as an unlabelled one is: before, the coach's "I do not speak
that" escaped as a server error (found by the API fuzzer)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.helpers import make_case, make_customer


def _message(case: dict[str, Any], customer: dict[str, Any], text: str, language: str) -> Any:
    return {
        "direction": "outbound",
        "channel": "email",
        "case_id": case["id"],
        "customer_id": customer["id"],
        "subject": "",
        "text": text,
        "language": language,
    }


def test_a_message_labelled_in_a_language_the_coach_does_not_read_is_recorded(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Faktúra")
    for language in ("nf", "de"):
        body = _message(case, customer, "Ø\U000f1aba", language)
        answer = client.post("/api/v1/messages", json=body, headers=cast.agent.headers)
        assert answer.status_code == 201, answer.text
        assert answer.json()["language"] == language


def test_blame_labelled_in_such_a_language_is_still_refused(client: TestClient, cast: Cast) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Faktúra")
    blame = "Sorry, but the courier company delivered your parcel late."
    body = _message(case, customer, blame, "de")
    refused = client.post("/api/v1/messages", json=body, headers=cast.agent.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "coach-findings"
