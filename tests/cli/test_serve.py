"""`amends serve` as a real process on a free port, against a demo workspace."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

AMENDS = str(Path(sys.executable).with_name("amends"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, db_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    env = dict(os.environ, AMENDS_HOME=str(tmp_path / "ws"), AMENDS_DATABASE_URL=db_url)
    subprocess.run([AMENDS, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [AMENDS, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"amends serve did not come up:\n{output}")
            time.sleep(0.1)  # waiting for a real server process, not for test time
        yield base, env
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_answers_health_sign_in_and_api(served: tuple[str, dict[str, str]]) -> None:
    base, env = served
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
