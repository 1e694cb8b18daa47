"""A workspace's database and files copied into one folder with a manifest, and back.

A backup folder holds ``manifest.json`` (written last: a folder without one is an
unfinished backup), the database (``amends.db``, a SQLite file made with SQLite's
online backup API, or ``amends.pgdump``, ``pg_dump``'s custom format) and ``files/``:
the raw mail, attachments, playbook and secret key as they are under the workspace
folder. Every file is listed with its size and SHA-256, checked before a restore
writes anything. Folders are 0700 and files 0600: a backup holds every customer's data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, make_url

from amends import __version__
from amends.config import SECRET_FILE, Settings
from amends.db import make_engine
from amends.errors import N_, AmendsError, InvalidInput
from amends.migrations import HEAD

FORMAT = "amends-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "amends.db"
PG_FILE = "amends.pgdump"
FILES = "files"
# What of the workspace folder a backup carries besides the database.
FOLDERS = ("raw", "attachments")
SINGLE_FILES = ("playbook.toml", SECRET_FILE)
# SQLite pages copied per backup step, between two progress reports (4 MB of 4 KB pages).
PAGES_PER_STEP = 1024
READ_SIZE = 1 << 20

# (what, done, total): called as work goes on, so a command can show progress.
Progress = Callable[[str, int, int], None]


class BackupError(AmendsError):
    code = "backup-failed"
    status = 409
    title = "Backup or restore refused"


def _quiet(_what: str, _done: int, _total: int) -> None:
    return


@dataclass(frozen=True)
class Copied:
    path: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def private_folder(path: Path) -> None:
    """``path`` and missing parents, each 0700 whatever the umask."""
    for folder in reversed([path, *path.parents]):
        if not folder.exists():
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)


def _copy(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file into a new 0600 file, returning its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    private_folder(target.parent)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
        while chunk := src.read(READ_SIZE):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return size, digest.hexdigest()


def _hash(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(READ_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _workspace_files(home: Path) -> Iterator[Path]:
    for name in SINGLE_FILES:
        if (home / name).is_file():
            yield home / name
    for folder in FOLDERS:
        root = home / folder
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                # Blobs being written are renamed into place; a half-written one is not data.
                if path.is_file() and not path.name.startswith(".tmp-"):
                    yield path


def _pg_env(url: str) -> dict[str, str]:
    """libpq's environment for the database at ``url``: the password never appears on a
    command line, where other users of the machine could read it."""
    parsed = make_url(url)
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", parsed.port),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
    ):
        if value is not None:
            env[name] = str(value)
    return env


def _run(command: list[str], env: dict[str, str], progress: Progress, what: str) -> None:
    try:
        process = subprocess.Popen(  # noqa: S603 - a fixed program, arguments not from input
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
    except FileNotFoundError:
        raise BackupError.saying(
            N_("%(program)s is not installed; install the PostgreSQL client tools."),
            code="backup-tool-missing",
            program=command[0],
        ) from None
    lines: list[str] = []
    assert process.stderr is not None
    for line in process.stderr:
        lines.append(line.rstrip())
        # --verbose names each table as it goes: one line each is the progress.
        progress(what, len(lines), 0)
    if process.wait() != 0:
        errors = [line for line in lines if "error" in line.lower()] or lines[-5:]
        raise BackupError.saying(
            N_("%(program)s failed: %(error)s"),
            code="backup-tool-failed",
            program=command[0],
            error=" / ".join(errors)[:1000],
        )


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError.saying(
            N_("Only a SQLite database in a file can be backed up."), code="backup-unsupported"
        )
    return Path(database)


def _backup_sqlite(url: str, target: Path, progress: Progress) -> None:
    source = sqlite3.connect(_sqlite_path(url), isolation_level=None)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    copy = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout = 10000")
        # A read transaction held across the steps pins one snapshot of the WAL database:
        # the server keeps writing, the copy stays consistent and never restarts.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        source.backup(
            copy,
            pages=PAGES_PER_STEP,
            progress=lambda _status, remaining, total: progress(
                "database", total - remaining, total
            ),
        )
        source.execute("ROLLBACK")
        # The copy is one self-contained file, not a WAL database needing its -wal.
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
        source.close()


def _refuse_existing(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError.saying(
            N_("%(path)s already exists and is not an empty folder; name a new one."),
            code="backup-target-exists",
            path=str(target),
        )


def backup(
    settings: Settings, target: Path, *, now: datetime, progress: Progress = _quiet
) -> dict[str, Any]:
    """Copy the database and the workspace's files into the new folder ``target``."""
    _refuse_existing(target)
    private_folder(target)
    os.chmod(target, 0o700)
    if settings.is_sqlite:
        database = SQLITE_FILE
        _backup_sqlite(settings.database_url, target / SQLITE_FILE, progress)
    else:
        database = PG_FILE
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--verbose"]
        fd = os.open(target / PG_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        command += ["--file", str(target / PG_FILE)]
        _run(command, _pg_env(settings.database_url), progress, "database")
    size, digest = _hash(target / database)
    # Files after the database: intake writes a blob before the row naming it commits,
    # so every blob the copied database names is already there to copy.
    sources = list(_workspace_files(settings.home))
    copied: list[Copied] = []
    for done, path in enumerate(sources, 1):
        relative = path.relative_to(settings.home).as_posix()
        try:
            file_size, file_digest = _copy(path, target / FILES / relative)
        except FileNotFoundError:
            continue  # erased since the database was copied
        copied.append(Copied(relative, file_size, file_digest))
        progress("files", done, len(sources))
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "amends_version": __version__,
        "engine": "sqlite" if settings.is_sqlite else "postgresql",
        "schema": HEAD,
        "database": {"path": database, "size": size, "sha256": digest},
        "files": [c.as_dict() for c in copied],
    }
    fd = os.open(target / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(manifest, handle, indent=2)
    return {
        "path": str(target),
        "engine": manifest["engine"],
        "database_bytes": size,
        "files": len(copied),
        "file_bytes": sum(c.size for c in copied),
    }


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise InvalidInput.saying(
            N_("%(path)s is not a finished amends backup: it has no manifest.json."),
            code="backup-invalid",
            path=str(source),
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput.saying(
            N_("The manifest of %(path)s cannot be read."), code="backup-invalid", path=str(source)
        ) from None
    if manifest.get("format") != FORMAT:
        raise InvalidInput.saying(
            N_("%(path)s is not an amends backup this version can restore."),
            code="backup-invalid",
            path=str(source),
        )
    return manifest


def verify(source: Path, manifest: dict[str, Any], progress: Progress = _quiet) -> None:
    """Every file the manifest lists is there with its size and SHA-256."""
    listed = [manifest["database"]] + [
        {**f, "path": f"{FILES}/{f['path']}"} for f in manifest["files"]
    ]
    for done, item in enumerate(listed, 1):
        path = source / item["path"]
        if ".." in Path(item["path"]).parts or not path.is_file():
            raise InvalidInput.saying(
                N_("The backup is missing %(file)s."), code="backup-damaged", file=item["path"]
            )
        if _hash(path) != (item["size"], item["sha256"]):
            raise InvalidInput.saying(
                N_("%(file)s in the backup is damaged: its checksum does not match."),
                code="backup-damaged",
                file=item["path"],
            )
        progress("checking", done, len(listed))


def _refuse_non_empty(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    blobs = [p for folder in FOLDERS for p in (settings.home / folder).rglob("*") if p.is_file()]
    if tables or blobs:
        raise BackupError.saying(
            N_(
                "A backup is restored only into an empty workspace: %(where)s already holds"
                " data. Use a new AMENDS_HOME and an empty database."
            ),
            code="restore-not-empty",
            where=str(settings.home) if blobs else _safe(settings.database_url),
        )


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def restore(settings: Settings, source: Path, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Restore the backup folder ``source`` into this (empty) workspace."""
    manifest = read_manifest(source)
    engine = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest["engine"] != engine:
        raise BackupError.saying(
            N_("This backup is of a %(backup)s database; this workspace uses %(engine)s."),
            code="restore-engine-mismatch",
            backup=manifest["engine"],
            engine=engine,
        )
    verify(source, manifest, progress)
    _refuse_non_empty(settings)
    database = source / manifest["database"]["path"]
    if settings.is_sqlite:
        _restore_sqlite(database, _sqlite_path(settings.database_url), progress)
    else:
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--verbose"]
        command += ["--dbname", make_url(settings.database_url).database or "", str(database)]
        _run(command, _pg_env(settings.database_url), progress, "database")
    private_folder(settings.home)
    files = manifest["files"]
    for done, item in enumerate(files, 1):
        _copy(source / FILES / item["path"], settings.home / item["path"])
        progress("files", done, len(files))
    return {"engine": engine, "schema": manifest["schema"], "files": len(files)}


def _restore_sqlite(database: Path, target: Path, progress: Progress) -> None:
    private_folder(target.parent)
    # The workspace's own file (0600), filled by SQLite's backup API from the copy.
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(
            copy,
            pages=PAGES_PER_STEP,
            progress=lambda _s, remaining, total: progress("database", total - remaining, total),
        )
        copy.execute("PRAGMA journal_mode = WAL")
    finally:
        copy.close()
        source.close()


def remove_partial(target: Path) -> None:
    """Delete a backup folder left unfinished by an error."""
    shutil.rmtree(target, ignore_errors=True)
