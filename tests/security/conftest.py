"""A real `amends serve` process for the security tests, with what they watch: its
process id (memory, open files), its own temporary folder and a webhook secret."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from amends.config import Settings
from tests.conftest import Cast, serving

WEBHOOK_SECRET = "security-webhook-secret-7d1e"


@dataclass
class Served:
    base: str
    pid: int
    env: dict[str, str]
    tmp: Path  # the server's TMPDIR: where spooled uploads would land

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.base.removeprefix("http://").split(":")
        return host, int(port)


@pytest.fixture
def served(tmp_path: Path, db_url: str, cast: Cast) -> Iterator[Served]:
    # ``cast``: the named people exist, an owner among them, before the server starts.
    home = tmp_path / "ws"
    spool = tmp_path / "spool"
    spool.mkdir()
    env = dict(
        os.environ,
        AMENDS_HOME=str(home),
        AMENDS_DATABASE_URL=db_url,
        AMENDS_WEBHOOK_SECRET=WEBHOOK_SECRET,
        TMPDIR=str(spool),
    )
    with serving(env) as (base, proc):
        yield Served(base, proc.pid, env, spool)


@pytest.fixture
def cli_env(
    settings: Settings, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The command line pointed at the test's database (the one `client` serves)."""
    monkeypatch.setenv("AMENDS_HOME", str(settings.home))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
