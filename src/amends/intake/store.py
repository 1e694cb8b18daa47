"""Content-addressed files under the workspace: raw mail and attachments by SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def blob_path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:4] / digest


def put(root: Path, data: bytes) -> str:
    """Write ``data`` once (atomically, fsynced) and return its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    target = blob_path(root, digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename: a crash leaves either nothing or the whole file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def get(root: Path, digest: str) -> bytes:
    return blob_path(root, digest).read_bytes()
