"""A team id larger than the database's integers is refused as input (422), not sent to
PostgreSQL, which failed the request with "integer out of range" (500)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast


def test_a_team_id_beyond_the_database_integers_is_refused_as_input(
    client: TestClient, cast: Cast
) -> None:
    answer = client.put(
        f"/api/v1/users/{cast.agent.id}/team",
        json={"team_id": 2**31},
        headers=cast.manager.headers,
    )
    assert answer.status_code == 422, answer.text
    missing = client.put(
        f"/api/v1/users/{cast.agent.id}/team",
        json={"team_id": 2**31 - 1},
        headers=cast.manager.headers,
    )
    assert missing.status_code == 404, missing.text
