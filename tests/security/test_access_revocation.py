"""Finding: no command or endpoint revoked a token, deactivated a user or changed a
password; access, once given, could not be taken back."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from amends.cli import app
from tests.conftest import PASSWORD, Cast
from tests.web.test_pages import sign_in

runner = CliRunner()


def _cli(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _token_id(client: TestClient, cast: Cast, email: str) -> int:
    listed = client.get("/api/v1/tokens?all=true", headers=cast.owner.headers).json()
    return next(t["id"] for t in listed if t["user"] == email)


def test_no_way_to_revoke_access_tokens_revoke_stops_the_token_at_once(
    client: TestClient, cast: Cast, cli_env: None
) -> None:
    code, listing, _ = _cli("tokens", "list", "--user", cast.agent.email)
    assert code == 0
    assert cast.agent.token[:10] in listing
    token_id = _token_id(client, cast, cast.agent.email)
    assert client.get("/api/v1/me", headers=cast.agent.headers).status_code == 200

    code, said, _ = _cli("tokens", "revoke", str(token_id))
    assert code == 0, said
    assert f"revoked token {token_id}" in said
    refused = client.get("/api/v1/me", headers=cast.agent.headers)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token-invalid"
    assert "revoked" in _cli("tokens", "list", "--user", cast.agent.email)[1]


def test_no_way_to_revoke_access_users_deactivate_ends_sessions_and_tokens(
    client: TestClient, cast: Cast, cli_env: None
) -> None:
    sign_in(client, cast.agent.email)
    assert client.get("/cases", follow_redirects=False).status_code == 200

    code, said, _ = _cli("users", "deactivate", cast.agent.email)
    assert code == 0, said
    assert client.get("/cases", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers=cast.agent.headers).status_code == 401
    assert "(deactivated)" in _cli("users", "list")[1]


def test_no_way_to_revoke_access_set_role_applies_on_the_next_request(
    client: TestClient, cast: Cast, cli_env: None
) -> None:
    code, said, _ = _cli("users", "set-role", cast.agent.email, "viewer")
    assert code == 0, said
    assert f"{cast.agent.email} is now viewer" in said
    created = client.post("/api/v1/customers", json={"name": "Acme"}, headers=cast.agent.headers)
    assert created.status_code == 403


def test_no_way_to_revoke_access_set_password_ends_old_sessions(
    client: TestClient, cast: Cast, cli_env: None
) -> None:
    sign_in(client, cast.agent.email)
    code, said, _ = _cli(
        "users", "set-password", cast.agent.email, "--password-stdin", stdin="a brand new one\n"
    )
    assert code == 0, said
    assert client.get("/cases", follow_redirects=False).status_code == 303
    sign_in(client, cast.agent.email, "a brand new one")


def test_no_way_to_revoke_access_the_last_owner_cannot_be_locked_out(
    cast: Cast, cli_env: None
) -> None:
    code, _, err = _cli("users", "deactivate", cast.owner.email)
    assert code == 1
    assert "last active owner" in err
    code, _, err = _cli("users", "set-role", cast.owner.email, "manager")
    assert code == 1
    assert "last active owner" in err


def test_no_way_to_revoke_access_a_manager_deactivates_an_agent_through_the_api(
    client: TestClient, cast: Cast
) -> None:
    done = client.post(f"/api/v1/users/{cast.agent.id}/deactivate", headers=cast.manager.headers)
    assert done.status_code == 200
    assert done.json()["active"] is False
    assert client.get("/api/v1/me", headers=cast.agent.headers).status_code == 401


def test_no_way_to_revoke_access_nobody_raises_their_own_role(
    client: TestClient, cast: Cast
) -> None:
    for who, role in ((cast.manager, "owner"), (cast.agent, "manager"), (cast.viewer, "agent")):
        response = client.put(
            f"/api/v1/users/{who.id}/role", json={"role": role}, headers=who.headers
        )
        assert response.status_code == 403, (who.email, response.json())
    # A manager cannot make anyone an owner, nor touch an owner's access.
    for path, body in (
        (f"/api/v1/users/{cast.agent.id}/role", {"role": "owner"}),
        (f"/api/v1/users/{cast.owner.id}/role", {"role": "viewer"}),
    ):
        assert client.put(path, json=body, headers=cast.manager.headers).status_code == 403
    demoted = client.put(
        f"/api/v1/users/{cast.agent.id}/role", json={"role": "viewer"}, headers=cast.manager.headers
    )
    assert demoted.status_code == 200


def test_no_way_to_revoke_access_the_last_owner_cannot_demote_or_deactivate_themselves(
    client: TestClient, cast: Cast
) -> None:
    me = f"/api/v1/users/{cast.owner.id}"
    refused = client.put(f"{me}/role", json={"role": "manager"}, headers=cast.owner.headers)
    assert refused.status_code == 403
    assert "last active owner" in refused.json()["detail"]
    assert client.post(f"{me}/deactivate", headers=cast.owner.headers).status_code == 403
    # With a second owner, stepping down is fine.
    made = client.put(
        f"/api/v1/users/{cast.manager.id}/role", json={"role": "owner"}, headers=cast.owner.headers
    )
    assert made.status_code == 200
    stepped = client.put(f"{me}/role", json={"role": "manager"}, headers=cast.owner.headers)
    assert stepped.status_code == 200


def test_no_way_to_revoke_access_tokens_are_revoked_by_their_holder_or_a_manager(
    client: TestClient, cast: Cast
) -> None:
    mine = client.get("/api/v1/tokens", headers=cast.agent.headers).json()
    assert [t["user"] for t in mine] == [cast.agent.email]
    viewer_token = _token_id(client, cast, cast.viewer.email)
    # An agent may not revoke another's token, nor learn that it exists.
    assert (
        client.delete(f"/api/v1/tokens/{viewer_token}", headers=cast.agent.headers).status_code
        == 404
    )
    assert client.get("/api/v1/tokens?all=true", headers=cast.agent.headers).status_code == 403
    revoked = client.delete(f"/api/v1/tokens/{viewer_token}", headers=cast.manager.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=cast.viewer.headers).status_code == 401
    own = client.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=cast.agent.headers)
    assert own.status_code == 200
    assert client.get("/api/v1/me", headers=cast.agent.headers).status_code == 401


def test_no_way_to_revoke_access_a_password_is_changed_through_the_api(
    client: TestClient, cast: Cast
) -> None:
    own = f"/api/v1/users/{cast.agent.id}/password"
    wrong = client.put(
        own,
        json={"password": "my new password", "current_password": "guess"},
        headers=cast.agent.headers,
    )
    assert wrong.status_code == 422
    right = client.put(
        own,
        json={"password": "my new password", "current_password": PASSWORD},
        headers=cast.agent.headers,
    )
    assert right.status_code == 204
    sign_in(client, cast.agent.email, "my new password")
    # A manager resets an agent's password; an agent cannot reset a manager's.
    reset = client.put(own, json={"password": "reset by marek"}, headers=cast.manager.headers)
    assert reset.status_code == 204
    other = client.put(
        f"/api/v1/users/{cast.manager.id}/password",
        json={"password": "taken over!!"},
        headers=cast.agent.headers,
    )
    assert other.status_code == 403
