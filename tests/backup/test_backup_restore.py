"""`amends backup` copies the database (SQLite's online backup API, or pg_dump) and the
workspace's files into one folder with a manifest; `amends restore` puts them into an
empty workspace, where every row and every file is as it was."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text

from amends.backup import service as backups
from amends.db import make_engine, register_sqlite_functions
from tests.conftest import AMENDS
from tests.privacy.conftest import Demo, every_value, files_under


def _rows(engine: Engine) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for table, column, value in every_value(engine):
        tables.setdefault(table, []).append(f"{column}={value!r}")
    return {t: sorted(v) for t, v in tables.items()}


def _files(home: Path) -> dict[str, bytes]:
    """The files a backup carries: the secret key, raw mail and attachments."""
    kept = ("secret_key", "raw", "attachments")
    return {
        p.relative_to(home).as_posix(): p.read_bytes()
        for p in files_under(home)
        if p.relative_to(home).parts[0] in kept
    }


@pytest.fixture
def empty_url(demo: Demo, tmp_path: Path) -> Iterator[str]:
    """A database for the restored workspace: a new SQLite file, or a new PostgreSQL one."""
    if demo.engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'amends.db'}"
        return
    url = make_url(demo.engine.url.render_as_string(hide_password=False))
    name = f"amends_restore_{uuid.uuid4().hex[:8]}"
    admin = make_engine(
        url.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _amends(*args: str, home: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AMENDS_HOME=str(home), AMENDS_DATABASE_URL=url)
    return subprocess.run([AMENDS, *args], env=env, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_backup_then_restore_into_an_empty_workspace_gives_the_same_rows_and_files(
    demo: Demo, empty_url: str, tmp_path: Path
) -> None:
    (demo.settings.home / "secret_key").write_text("a secret\n")
    url = demo.engine.url.render_as_string(hide_password=False)
    target = tmp_path / "backup-1"
    made = _amends("backup", str(target), "--json", home=demo.settings.home, url=url)
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert summary["files"] == 4  # two raw mails (one quarantined), an attachment, the key
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["engine"] == demo.engine.dialect.name
    assert {f["path"].split("/")[0] for f in manifest["files"]} == {
        "raw",
        "attachments",
        "secret_key",
    }

    home = tmp_path / "restored-home"
    done = _amends("restore", str(target), home=home, url=empty_url)
    assert done.returncode == 0, done.stderr
    assert "restored" in done.stdout
    restored = make_engine(empty_url)
    try:
        assert _rows(restored) == _rows(demo.engine)
    finally:
        restored.dispose()
    assert _files(home) == _files(demo.settings.home)
    # Restoring again over the now full workspace is refused, and says why.
    again = _amends("restore", str(target), home=home, url=empty_url)
    assert again.returncode == 1
    assert "only into an empty workspace" in again.stderr


@pytest.mark.slow
def test_a_damaged_or_unfinished_backup_is_refused_before_anything_is_written(
    demo: Demo, empty_url: str, tmp_path: Path
) -> None:
    url = demo.engine.url.render_as_string(hide_password=False)
    target = tmp_path / "backup-2"
    assert _amends("backup", str(target), home=demo.settings.home, url=url).returncode == 0
    refused = _amends("backup", str(target), home=demo.settings.home, url=url)
    assert refused.returncode == 1 and "already exists" in refused.stderr
    # A folder of someone else's is refused and left exactly as it was.
    theirs = tmp_path / "photos"
    theirs.mkdir()
    (theirs / "cat.jpg").write_bytes(b"cat")
    assert _amends("backup", str(theirs), home=demo.settings.home, url=url).returncode == 1
    assert (theirs / "cat.jpg").read_bytes() == b"cat"
    blob = next(p for p in (target / "files" / "attachments").rglob("*") if p.is_file())
    blob.chmod(0o600)
    blob.write_bytes(b"tampered")
    home = tmp_path / "restored-home"
    damaged = _amends("restore", str(target), home=home, url=empty_url)
    assert damaged.returncode == 2 and "damaged" in damaged.stderr
    assert not files_under(home) if home.exists() else True
    (target / "manifest.json").unlink()
    unfinished = _amends("restore", str(target), home=home, url=empty_url)
    assert unfinished.returncode == 2 and "no manifest.json" in unfinished.stderr


@pytest.mark.slow
def test_sqlite_backup_is_one_snapshot_while_the_server_keeps_writing(
    demo: Demo, tmp_path: Path
) -> None:
    if demo.engine.dialect.name != "sqlite":
        pytest.skip("the online backup API is SQLite's; pg_dump takes its own snapshot")
    database = make_url(demo.settings.database_url).database
    assert database is not None
    writer = sqlite3.connect(database, isolation_level=None)
    register_sqlite_functions(writer)  # the search triggers call amends_fold
    count = "SELECT count(*) FROM customers"
    (at_start,) = writer.execute(count).fetchone()
    steps: list[int] = []
    original = backups.PAGES_PER_STEP

    def write_between_steps(what: str, done: int, total: int) -> None:
        if what == "database":
            steps.append(done)
            writer.execute(
                "INSERT INTO customers (name, language, timezone, currency, recurring_value,"
                " tier, status, is_lead, notes, created_at, updated_at)"
                " VALUES ('Written during the backup', 'en', 'UTC', 'EUR', 0, 'standard',"
                " 'active', 0, '', '2026-05-04 09:00:00', '2026-05-04 09:00:00')"
            )

    backups.PAGES_PER_STEP = 8
    try:
        backups.backup(
            demo.settings, tmp_path / "b", now=demo.clock.now(), progress=write_between_steps
        )
    finally:
        backups.PAGES_PER_STEP = original
    assert len(steps) > 5
    copy = sqlite3.connect(tmp_path / "b" / "amends.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute(count).fetchone() == (at_start,)
    assert writer.execute(count).fetchone() == (at_start + len(steps),)


@pytest.mark.slow
def test_backups_and_their_files_are_owner_only(demo: Demo, tmp_path: Path) -> None:
    target = tmp_path / "backup-3"
    old = os.umask(0o022)
    try:
        backups.backup(demo.settings, target, now=demo.clock.now())
    finally:
        os.umask(old)
    for path in [target, *target.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
