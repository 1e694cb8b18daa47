"""The database, its WAL and SHM, stored mail, attachments and exports are readable by
amends' own user only (files 0600, folders 0700), whatever the umask, and a workspace an
earlier version left world-readable is closed when amends next opens it."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import AMENDS
from tests.privacy.conftest import Demo


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _amends(*args: str, home: Path) -> None:
    env = dict(os.environ, AMENDS_HOME=str(home))
    env.pop("AMENDS_DATABASE_URL", None)
    subprocess.run(
        [AMENDS, *args],
        env=env,
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(0o022),
    )


@pytest.mark.slow
def test_a_new_workspace_database_with_its_wal_and_shm_is_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    _amends("init", home=home)
    database = home / "amends.db"
    reader = sqlite3.connect(database)  # keeps the WAL and SHM in place while we look
    reader.execute("SELECT count(*) FROM customers").fetchone()
    _amends("users", "add", "o@example.com", "--name", "O", "--role", "owner", home=home)
    try:
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            assert path.exists() and _mode(path) == 0o600, path
        assert _mode(home) == 0o700
        assert _mode(home / "secret_key") == 0o600
    finally:
        reader.close()


def test_a_workspace_left_world_readable_is_closed_when_amends_opens_it(tmp_path: Path) -> None:
    home = tmp_path / "old"
    home.mkdir(mode=0o755)
    (home / "raw").mkdir(mode=0o755)
    database = home / "amends.db"
    old = os.umask(0o022)
    try:
        made = sqlite3.connect(database)
        made.execute("PRAGMA journal_mode=WAL")
        made.execute("CREATE TABLE leftover (x)")
        made.commit()
        os.chmod(home, 0o755)
        assert _mode(database) == 0o644 and Path(f"{database}-wal").exists()
        _amends("migrate", home=home)
        assert _mode(database) == 0o600
        assert _mode(Path(f"{database}-wal")) == 0o600
        assert _mode(home) == 0o700 and _mode(home / "raw") == 0o700
    finally:
        made.close()
        os.umask(old)


@pytest.mark.slow
def test_stored_mail_and_attachments_are_owner_only(demo: Demo) -> None:
    stored = [demo.settings.home / "raw", demo.settings.home / "attachments"]
    paths = [p for root in stored for p in [root, *root.rglob("*")]]
    assert any(p.is_file() for p in paths)
    for path in paths:
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
