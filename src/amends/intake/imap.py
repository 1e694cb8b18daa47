"""IMAP polling: fetch unseen mail by UID, store it, and only then mark it seen.

Fetching with BODY.PEEK leaves the \\Seen flag alone, so a crash between fetching and
storing leaves the message unseen and the next poll takes it again; intake's
idempotency makes that second take a harmless duplicate.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from amends.config import Settings
from amends.intake.pipeline import IngestResult, IntakeContext, ingest

log = logging.getLogger("amends.intake.imap")


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    use_ssl: bool = True
    timeout: float = 60.0


def mailbox_of(settings: Settings) -> Mailbox | None:
    """The mailbox the settings name, or None when no IMAP host and user are set."""
    if not settings.imap_host or not settings.imap_user:
        return None
    return Mailbox(
        settings.imap_host,
        settings.imap_port,
        settings.imap_user,
        settings.imap_password.get_secret_value(),
        settings.imap_folder,
        settings.imap_ssl,
    )


@contextlib.contextmanager
def _opened(box: Mailbox, *, readonly: bool) -> Iterator[imaplib.IMAP4]:
    cls = imaplib.IMAP4_SSL if box.use_ssl else imaplib.IMAP4
    conn = cls(box.host, box.port, timeout=box.timeout)
    try:
        conn.login(box.user, box.password)
        status, _ = conn.select(_quote(box.folder), readonly=readonly)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {box.folder!r}")
        yield conn
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()


def check(box: Mailbox) -> int:
    """Sign in and open the folder without changing anything: how many unseen messages
    wait there. Raises what the connection raised."""
    with _opened(box, readonly=True) as conn:
        status, data = conn.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]
        return len((data[0] or b"").split()) if status == "OK" else 0


def poll(ctx: IntakeContext, box: Mailbox, *, limit: int = 500) -> list[IngestResult]:
    """Take in up to ``limit`` unseen messages; returns what happened to each."""
    results: list[IngestResult] = []
    with _opened(box, readonly=False) as conn:
        status, data = conn.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]
        uids = (data[0] or b"").split()[:limit] if status == "OK" else []
        for uid in uids:
            status, parts = conn.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) == 2), None)
            if status != "OK" or not isinstance(raw, bytes):
                log.warning("could not fetch UID %s from %s", uid.decode(), box.folder)
                continue
            results.append(
                ingest(ctx, raw, source="imap", source_ref=f"imap:{box.folder}:{uid.decode()}")
            )
            # Seen only now: the message is committed, so losing it is no longer possible.
            conn.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
    return results


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
