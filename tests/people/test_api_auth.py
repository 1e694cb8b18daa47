from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_api_without_token_is_refused_with_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "token-missing"
    assert body["status"] == 401
    assert "Bearer" in body["detail"]


def test_unknown_token_is_refused(client: TestClient, cast: Cast) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer amd_nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "token-invalid"


def test_me_returns_the_token_owner(client: TestClient, cast: Cast) -> None:
    response = client.get("/api/v1/me", headers=cast.agent.headers)
    assert response.status_code == 200
    assert response.json()["email"] == "agent@example.com"
    assert response.json()["role"] == "agent"


def test_a_repeated_query_parameter_is_refused(client: TestClient, cast: Cast) -> None:
    response = client.get("/api/v1/cases?offset=0&offset=600", headers=cast.agent.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "query-repeated"
    assert "offset" in response.json()["detail"]
