"""Finding: request bodies were unbounded and read before any check.

400 MB to the webhook and 300 MB of JSON to /api/v1/customers without a token grew the
server from 330 MB to 1.2 GB; a 500 MB multipart upload without a CSRF token wrote
437 MiB to disk before it was refused. Against a real `amends serve`, over a raw socket
that reads while it writes, each body must be refused with 413 while the server's peak
memory stays put and no spooled file grows past the upload cap.
"""

from __future__ import annotations

import os
import re
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from amends.config import Settings
from tests.security.conftest import Served
from tests.security.wire import Answer, stream

MB = 1024 * 1024
DEFAULTS = Settings()
# Loopback socket buffers hold a few megabytes the server never read.
IN_FLIGHT = 16 * MB
# What refusing may cost the server's peak memory: nothing like the body's size.
MEMORY_SLACK = 64 * MB


def peak_memory(pid: int) -> int:
    """The process's peak resident memory (VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match
    return int(match.group(1)) * 1024


@dataclass
class FileWatch:
    """The largest file the server holds open or has in its TMPDIR, sampled in a thread."""

    served: Served
    largest: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        fds = Path(f"/proc/{self.served.pid}/fd")
        while not self.stop.is_set():
            # Spooled uploads are unnamed (O_TMPFILE): only the open descriptor shows them.
            for path in [*fds.iterdir(), *self.served.tmp.iterdir()]:
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    self.largest = max(self.largest, info.st_size)
            self.stop.wait(0.01)  # sampling a real process's files, not test time


@contextmanager
def watching_files(served: Served) -> Iterator[FileWatch]:
    watch = FileWatch(served)
    thread = threading.Thread(target=watch.run, name="file-watch")
    thread.start()
    try:
        yield watch
    finally:
        watch.stop.set()
        thread.join(timeout=10)


def assert_problem_413(answer: Answer) -> None:
    assert answer.status == 413, answer.head
    assert "application/problem+json" in answer.head.lower()
    assert b'"code":"payload-too-large"' in answer.body


@pytest.mark.slow
@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
def test_a_400_mb_webhook_body_is_refused_before_it_is_read(
    served: Served, declare_length: bool
) -> None:
    before = peak_memory(served.pid)
    answer = stream(
        served.host_port,
        "/api/v1/webhooks/deliveries",
        {"Content-Type": "application/json", "X-Amends-Signature": "sha256=00"},
        total=400 * MB,
        declare_length=declare_length,
    )
    assert_problem_413(answer)
    assert answer.sent < IN_FLIGHT
    assert peak_memory(served.pid) - before < MEMORY_SLACK
    # The server is still there and answers the next caller.
    assert httpx.get(served.base + "/healthz").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
def test_300_mb_of_json_without_a_token_is_refused_before_it_is_read(
    served: Served, declare_length: bool
) -> None:
    before = peak_memory(served.pid)
    answer = stream(
        served.host_port,
        "/api/v1/customers",
        {"Content-Type": "application/json"},
        prefix=b'{"name": "',
        piece=b"a" * 65536,
        total=300 * MB,
        declare_length=declare_length,
    )
    assert_problem_413(answer)
    assert answer.sent < DEFAULTS.max_api_body + IN_FLIGHT
    assert peak_memory(served.pid) - before < MEMORY_SLACK


def complaint_token(served: Served) -> tuple[str, str]:
    """The CSRF cookie and token, as a person's browser gets them from the form."""
    page = httpx.get(served.base + "/complaint")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return page.cookies["amends_csrf"], token.group(1)


def multipart_head(boundary: str, token: str) -> bytes:
    return (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{token}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename="huge.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


@pytest.mark.slow
@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
def test_a_500_mb_upload_is_refused_before_more_than_the_cap_is_written(
    served: Served, declare_length: bool
) -> None:
    cookie, token = complaint_token(served)
    boundary = "amendsboundary7c1f"
    before = peak_memory(served.pid)
    with watching_files(served) as files:
        answer = stream(
            served.host_port,
            f"/complaint?csrf_token={token}",
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"amends_csrf={cookie}",
                "Accept": "text/html",
                "Accept-Language": "sk",
            },
            prefix=multipart_head(boundary, token),
            piece=os.urandom(65536),
            total=500 * MB,
            declare_length=declare_length,
        )
    assert answer.status == 413, answer.head
    assert "text/html" in answer.head.lower()
    assert "Príliš veľké" in answer.body.decode()  # the page, in the reader's language
    assert answer.sent < DEFAULTS.max_upload_body + IN_FLIGHT
    assert files.largest <= DEFAULTS.max_upload_body
    assert peak_memory(served.pid) - before < MEMORY_SLACK


@pytest.mark.slow
def test_an_upload_without_its_csrf_token_is_refused_before_its_body_is_read(
    served: Served,
) -> None:
    boundary = "amendsboundary7c1f"
    with watching_files(served) as files:
        # Under the cap, so only the missing token can stop it; the token in the body
        # does not count, because the body is not read until the token is known good.
        answer = stream(
            served.host_port,
            "/complaint",
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": "amends_csrf=the-real-token",
                "Accept": "text/html",
            },
            prefix=multipart_head(boundary, "the-real-token"),
            piece=os.urandom(65536),
            total=30 * MB,
            declare_length=True,
        )
    assert answer.status == 400, answer.head
    assert "expired or came from another site" in answer.body.decode()
    assert answer.sent < IN_FLIGHT
    assert files.largest < 2 * MB
