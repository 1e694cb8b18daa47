"""Finding: no way to revoke access — the owners' page for it (/settings/people)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.web.test_pages import csrf_from, sign_in


def test_no_way_to_revoke_access_an_owner_deactivates_and_revokes_from_the_page(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.owner.email)
    assert 'href="/settings/people"' in client.get("/cases").text
    page = client.get("/settings/people")
    assert page.status_code == 200
    assert cast.agent.email in page.text
    assert cast.agent.token[:10] in page.text
    assert cast.agent.token not in page.text  # only the first characters, never the token
    csrf = csrf_from(page.text)

    done = client.post(f"/settings/people/{cast.agent.id}/deactivate", data={"csrf_token": csrf})
    assert done.status_code == 200
    assert "can no longer sign in" in done.text
    assert client.get("/api/v1/me", headers=cast.agent.headers).status_code == 401

    tokens = client.get("/api/v1/tokens?all=true", headers=cast.owner.headers).json()
    viewer_token = next(t["id"] for t in tokens if t["user"] == cast.viewer.email)
    revoked = client.post(f"/settings/tokens/{viewer_token}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 200
    assert client.get("/api/v1/me", headers=cast.viewer.headers).status_code == 401

    role = client.post(
        f"/settings/people/{cast.employee.id}/role", data={"role": "viewer", "csrf_token": csrf}
    )
    assert role.status_code == 200
    assert client.get("/api/v1/me", headers=cast.employee.headers).json()["role"] == "viewer"


def test_no_way_to_revoke_access_the_page_says_why_in_the_readers_language(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.owner.email)
    csrf = csrf_from(client.get("/settings/people").text)
    client.post("/me/language", data={"language": "sk", "csrf_token": csrf})
    refused = client.post(f"/settings/people/{cast.owner.id}/deactivate", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert "last active owner" not in refused.text
    assert "vlastník" in refused.text


def test_no_way_to_revoke_access_the_page_is_for_managers_only_and_needs_csrf(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.agent.email)
    assert 'href="/settings/people"' not in client.get("/cases").text
    assert client.get("/settings/people").status_code == 403
    sign_in(client, cast.manager.email)
    refused = client.post(f"/settings/people/{cast.viewer.id}/deactivate", data={})
    assert refused.status_code == 400
    assert client.get("/api/v1/me", headers=cast.viewer.headers).status_code == 200
