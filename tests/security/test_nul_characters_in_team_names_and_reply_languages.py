"""A NUL (or another control character) in a team's name or in the language asked of the
saved replies is refused as input (422), not sent to PostgreSQL, which cannot hold a NUL
in text and failed both requests with 500 under the API fuzzer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast


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
