from __future__ import annotations

from pathlib import Path

import pytest

from amends.config import Settings


@pytest.fixture
def cli_env(
    settings: Settings, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The command line pointed at the test's database (the one `client` serves)."""
    monkeypatch.setenv("AMENDS_HOME", str(settings.home))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
