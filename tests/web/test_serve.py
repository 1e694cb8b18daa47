"""`amends serve` as a real process on a free port, against a demo workspace."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from tests.conftest import AMENDS, DemoServer


@pytest.mark.slow
def test_serve_answers_health_sign_in_and_api(demo_server: DemoServer) -> None:
    base, env = demo_server.base, demo_server.env
    assert httpx.get(base + "/healthz").json() == {"status": "ok"}
    sign_in = httpx.get(base + "/signin")
    assert sign_in.status_code == 200
    assert 'name="password"' in sign_in.text
    token = subprocess.run(
        [AMENDS, "tokens", "create", "--user", "owner@amends-demo.example"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    cases = httpx.get(base + "/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert cases.status_code == 200
    assert len(cases.json()["items"]) >= 20
    assert httpx.get(base + "/api/v1/cases").status_code == 401
