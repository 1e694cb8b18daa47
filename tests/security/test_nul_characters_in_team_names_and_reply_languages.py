"""A NUL (or another control character) in a team's name, in the language asked of the
saved replies or the customers, in the address naming an employee whose statement is
waived, or in the address given to sign in is refused as input, not sent to PostgreSQL,
which cannot hold a NUL in text and failed each with 500 under the API fuzzer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import try_sign_in


def test_a_team_name_with_a_nul_is_refused_and_a_plain_one_is_made(
    client: TestClient, cast: Cast
) -> None:
    for name in ("Support\x00Bratislava", "Support\x07", "Dva\nriadky"):
        refused = client.post("/api/v1/teams", json={"name": name}, headers=cast.manager.headers)
        assert refused.status_code == 422, refused.text
    made = client.post(
        "/api/v1/teams", json={"name": "Podpora Bratislava"}, headers=cast.manager.headers
    )
    assert made.status_code == 201, made.text
    names = [t["name"] for t in client.get("/api/v1/teams", headers=cast.manager.headers).json()]
    assert names == ["Podpora Bratislava"]


def test_saved_replies_asked_in_a_language_with_a_nul_are_refused(
    client: TestClient, cast: Cast
) -> None:
    refused = client.get(
        "/api/v1/saved-replies", params={"language": "s\x00k"}, headers=cast.agent.headers
    )
    assert refused.status_code == 422, refused.text
    listed = client.get(
        "/api/v1/saved-replies", params={"language": "sk"}, headers=cast.agent.headers
    )
    assert listed.status_code == 200, listed.text


def test_customers_asked_in_a_language_with_a_nul_are_refused(
    client: TestClient, cast: Cast
) -> None:
    for language in ("\x00", "s\x00k", "sk\x0b"):
        refused = client.get(
            "/api/v1/customers", params={"language": language}, headers=cast.agent.headers
        )
        assert refused.status_code == 422, refused.text
    listed = client.get("/api/v1/customers", params={"language": "sk"}, headers=cast.agent.headers)
    assert listed.status_code == 200, listed.text


def test_a_waiver_naming_the_employee_by_an_address_with_a_nul_is_refused(
    client: TestClient, cast: Cast
) -> None:
    customer = make_customer(client, cast.agent)
    case = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Somchai")
    refused = client.post(
        f"/api/v1/cases/{case['id']}/statement-waiver",
        json={"user": "\x00employee@example.com", "reason": "he left us"},
        headers=cast.manager.headers,
    )
    assert refused.status_code == 422, refused.text


def test_signing_in_with_a_nul_in_the_address_is_refused_not_a_server_error(
    client: TestClient, cast: Cast
) -> None:
    answer = try_sign_in(client, "owner\x00@example.com", "whatever it is")
    assert answer.status_code < 500, answer.text
    assert "amends_session" not in answer.cookies
