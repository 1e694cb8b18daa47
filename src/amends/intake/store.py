"""Content-addressed files under the workspace: raw mail and attachments by SHA-256."""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

# Folders known to exist (one mkdir each per process, not one per file; 256 per root)
# and a counter for temporary names.
_made: set[Path] = set()
_serial = itertools.count()


def _private_folder(path: Path) -> None:
    """Make ``path`` and its missing parents readable by amends only (0700); mkdir's
    ``parents`` would make the parents with the umask's mode."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


def attachments_root(home: Path) -> Path:
    """Where a workspace keeps the files that came with messages."""
    return home / "attachments"


def raw_root(home: Path) -> Path:
    """Where a workspace keeps every raw mail it received, as it came."""
    return home / "raw"


def forget(root: Path, digest: str) -> bool:
    """Delete a blob from either layout; False when it was not there."""
    removed = False
    for path in (blob_path(root, digest), _first_layout_path(root, digest)):
        try:
            path.unlink()
            removed = True
        except FileNotFoundError:
            continue
    return removed


def blob_path(root: Path, digest: str) -> Path:
    """Where a blob lives: one level of 256 folders.

    The first layout had two levels (65,792 folders), so a new workspace made a folder
    for nearly every file it wrote (about 21,000 for 20,000 messages), and those mkdirs
    were a tenth of a bulk import's time. File systems index large folders, so
    thousands of files in each of 256 cost nothing comparable.
    """
    return root / digest[:2] / digest


def _first_layout_path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:4] / digest


def put(root: Path, data: bytes, *, sync: bool = True, digest: str | None = None) -> str:
    """Write ``data`` once (atomically; fsynced unless ``sync`` is off) and return its SHA-256.

    With ``sync`` off the caller must call ``make_durable`` on the returned paths'
    root before it commits anything that refers to them.
    """
    digest = digest or hashlib.sha256(data).hexdigest()
    target = blob_path(root, digest)
    if target.exists():
        return digest
    if target.parent not in _made:
        _private_folder(target.parent)
        _made.add(target.parent)
    # Write beside the target and rename: a crash leaves either nothing or the whole file.
    # The name is unique per process and call; mkstemp's random names cost more.
    tmp = str(target.parent / f".tmp-{os.getpid()}-{next(_serial)}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(tmp, flags, 0o600)  # customers' mail: readable by amends only
    except FileNotFoundError:  # the folder was removed since it was made
        _private_folder(target.parent)
        fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def put_many(root: Path, items: Sequence[bytes]) -> list[str]:
    """Write a batch of blobs and make them durable together: one flush, not one each.

    An fsync costs about a millisecond here, more than parsing a message; a bulk import
    pays it once per batch.
    """
    digests = [put(root, data, sync=False) for data in items]
    make_durable(root, (blob_path(root, d) for d in digests))
    return digests


def make_durable(root: Path, paths: Iterable[Path]) -> None:
    """Flush files written with ``sync=False`` (and their renames) to the disk."""
    if _syncfs(root):
        return
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _syncfs(root: Path) -> bool:
    """Linux ``syncfs(2)``: one call flushes every file of the file system, renames too."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.syncfs
    except (OSError, AttributeError):
        return False
    _private_folder(root)
    fd = os.open(root, os.O_RDONLY)
    try:
        return int(call(fd)) == 0
    finally:
        os.close(fd)


def find(root: Path, digest: str) -> Path:
    """Where a blob is, in either layout (a workspace may hold both; the same bytes
    received again are written a second time, under the current layout)."""
    current = blob_path(root, digest)
    return current if current.exists() else _first_layout_path(root, digest)


def get(root: Path, digest: str) -> bytes:
    """A blob's bytes, from either layout."""
    return find(root, digest).read_bytes()
