"""A raw HTTP/1.1 client that streams a big body and stops as soon as the server answers.

httpx writes the whole request before it reads the answer; to see that a server refuses
a body early (and how much of it was taken), the test has to read while it writes.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from dataclasses import dataclass


@dataclass
class Answer:
    status: int
    head: str
    body: bytes
    sent: int  # body bytes the server took before it answered (or the connection broke)
    seconds: float


def stream(
    host_port: tuple[str, int],
    path: str,
    headers: dict[str, str],
    *,
    total: int,
    declare_length: bool,
    piece: bytes = b"\0" * 65536,
    prefix: bytes = b"",
    limit_seconds: float = 120.0,
) -> Answer:
    """POST ``prefix`` then ``total`` bytes of ``piece``s, Content-Length or chunked."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host_port[0]}:{host_port[1]}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    size = len(prefix) + total
    lines.append(f"Content-Length: {size}" if declare_length else "Transfer-Encoding: chunked")
    started = time.monotonic()
    sent = 0
    with socket.create_connection(host_port, timeout=limit_seconds) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        pending = [prefix] if prefix else []
        while sent < size and time.monotonic() - started < limit_seconds:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            data = pending.pop() if pending else piece[: size - sent]
            frame = data if declare_length else b"%x\r\n%s\r\n" % (len(data), data)
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(data)
        else:
            if not declare_length and sent >= size:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    sock.sendall(b"0\r\n\r\n")
        raw = _read_answer(sock, limit_seconds)
    seconds = time.monotonic() - started
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return Answer(status, head.decode("latin-1"), body, sent, seconds)


def _read_answer(sock: socket.socket, limit_seconds: float) -> bytes:
    chunks: list[bytes] = []
    sock.settimeout(limit_seconds)
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
        joined = b"".join(chunks)
        head, sep, body = joined.partition(b"\r\n\r\n")
        length = [
            line.split(b":", 1)[1].strip()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ]
        if sep and length and len(body) >= int(length[0]):
            break
    return b"".join(chunks)
