"""A workspace keeps customers' data to its owner: files 0600, folders 0700."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amends.cli import app
from amends.db import make_engine
from amends.playbook.policy import DEFAULT_PATH


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), under which files would be created world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_sqlite_database_and_its_wal_are_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "ws" / "amends.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        conn.exec_driver_sql("INSERT INTO t VALUES ('ข้อมูลลูกค้า')")
    with engine.connect() as conn:  # WAL mode: the -wal file exists while connected
        conn.exec_driver_sql("SELECT * FROM t").all()
        wal = path.with_name("amends.db-wal")
        assert wal.exists()
        assert mode(wal) == 0o600
    engine.dispose()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_the_command_line_creates_a_private_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("AMENDS_HOME", str(home))
    monkeypatch.delenv("AMENDS_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert mode(home) == 0o700
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files and all(mode(p) == 0o600 for p in files), {str(p): oct(mode(p)) for p in files}


def test_a_playbook_mistake_is_printed_with_its_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    bad = DEFAULT_PATH.read_text().replace(
        "acknowledge = 60, remedy = 960", "acknowledge = -5, remedy = 960"
    )
    (home / "playbook.toml").write_text(bad)
    monkeypatch.setenv("AMENDS_HOME", str(home))
    monkeypatch.delenv("AMENDS_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["sweep"])
    assert result.exit_code == 2
    assert "[severity.low.sla] acknowledge must be a positive number" in result.stderr


def test_stored_mail_stays_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("AMENDS_HOME", str(home))
    monkeypatch.delenv("AMENDS_DATABASE_URL", raising=False)
    mail = sorted((Path(__file__).parents[1] / "data" / "mail").glob("*.eml"))[:3]
    made = CliRunner().invoke(
        app, ["users", "add", "marek@example.com", "--name", "Marek", "--role", "manager"]
    )
    assert made.exit_code == 0, made.output
    result = CliRunner().invoke(app, ["intake", "eml", *map(str, mail)])
    assert result.exit_code == 0, result.output
    folders = [p for p in home.rglob("*") if p.is_dir()]
    files = [p for p in home.rglob("*") if p.is_file()]
    assert folders and all(mode(p) == 0o700 for p in folders), [
        (str(p), oct(mode(p))) for p in folders if mode(p) != 0o700
    ]
    assert all(mode(p) == 0o600 for p in files), [
        (str(p), oct(mode(p))) for p in files if mode(p) != 0o600
    ]
