"""Helpers shared by the benchmark scripts (not a benchmark itself)."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

AMENDS = str(Path(sys.executable).with_name("amends"))
OUT = Path(__file__).parent / "out"


def emit(result: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


def progress(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(env: dict[str, str], *args: str) -> Iterator[str]:
    """Run `amends serve ARGS` until the block ends; yields its base URL."""
    port = free_port()
    # Its log goes to a file, not a pipe nobody reads while it runs: once a long run had
    # logged 64 KiB the server's next write blocked, and with it the event loop.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [AMENDS, "serve", "--port", str(port), *args],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    said = log.read().decode(errors="replace")
                    raise RuntimeError("server did not start: " + said)
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                # A request still running (a long fragment a client gave up on) holds
                # the graceful shutdown: the measurements are taken, so stop it.
                proc.kill()
                proc.wait()
