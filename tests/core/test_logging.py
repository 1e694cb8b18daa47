"""AMENDS_LOG_LEVEL decides what the CLI, `amends serve` and `amends worker` log."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from amends.cli import app
from tests.conftest import AMENDS, free_port


@pytest.fixture
def root_level() -> Iterator[None]:
    # The CLI runs in this process here: give the next test the logging it had.
    root = logging.getLogger()
    level = root.level
    yield
    root.setLevel(level)


@pytest.mark.parametrize("level", ["DEBUG", "ERROR"])
def test_cli_commands_log_at_the_configured_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root_level: None, level: str
) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_LOG_LEVEL", level.lower())
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert logging.getLogger().level == getattr(logging, level)


def _serve_output(env: dict[str, str]) -> str:
    """Run `amends serve` until it answers, stop it, and return what it wrote."""
    port = free_port()
    proc = subprocess.Popen(
        [AMENDS, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)  # waiting for a real server process to start, not test time
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=15)
    assert "amends is serving" in output, output
    return output


@pytest.mark.slow
@pytest.mark.parametrize(("level", "logged"), [("INFO", True), ("WARNING", False)])
def test_serve_logs_at_the_configured_level(tmp_path: Path, level: str, logged: bool) -> None:
    env = dict(os.environ, AMENDS_HOME=str(tmp_path / "ws"), AMENDS_LOG_LEVEL=level)
    env.pop("AMENDS_DATABASE_URL", None)
    output = _serve_output(env)
    # The job thread (ours) and uvicorn (the server) both follow the setting; the
    # default, WARNING, keeps both quiet.
    assert ("INFO amends.worker: worker started" in output) is logged, output
    assert ("Application startup complete" in output) is logged, output


def test_worker_logs_at_the_configured_level(tmp_path: Path) -> None:
    env = dict(os.environ, AMENDS_HOME=str(tmp_path / "ws"), AMENDS_LOG_LEVEL="INFO")
    env.pop("AMENDS_DATABASE_URL", None)
    proc = subprocess.Popen(
        [AMENDS, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    # A worker that logs nothing would leave readline waiting: stop it after a while.
    guard = threading.Timer(30, proc.terminate)
    guard.start()
    try:
        # readline blocks until the worker writes: its first record, at INFO, says it
        # started. A worker that logs nothing ends the read only when it is stopped.
        first = proc.stderr.readline()
    finally:
        guard.cancel()
        proc.terminate()
        proc.communicate(timeout=15)
    assert "INFO amends.worker: worker started with jobs" in first
