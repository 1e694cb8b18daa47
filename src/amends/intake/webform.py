"""A web-form complaint taken in by a helper process, not by the server's own.

Building the MIME message and parsing it again (attachments up to 3 x 10 MB) spend
long stretches inside single C calls that hold the GIL: run on a thread of the server,
they stopped its event loop, /healthz included, for up to a second. A spawned process
has its own interpreter, so the server only waits for the answer on a pool thread.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import is_busy, make_engine, make_session_factory
from amends.errors import Busy
from amends.intake.pipeline import IntakeContext, ingest, store_only
from amends.playbook import policy as playbooks

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Complaint:
    """What the form said, checked; ``robot`` when the honeypot field was filled in."""

    sender: str
    address: str
    title: str
    text: str
    client: str
    uploads: tuple[Upload, ...]
    robot: bool


def as_mail(complaint: Complaint, *, to: str, at: datetime) -> bytes:
    """The complaint as an RFC 5322 message, so it goes through the mail pipeline."""
    mail = EmailMessage()
    mail["From"] = formataddr((complaint.sender, complaint.address))
    mail["To"] = to
    mail["Subject"] = complaint.title
    mail["Date"] = format_datetime(at)
    mail["Message-ID"] = make_msgid(domain="web-form.amends.invalid")
    mail["X-Amends-Channel"] = "web"
    mail.set_content(complaint.text)
    for upload in complaint.uploads:
        maintype, _slash, subtype = upload.content_type.partition("/")
        mail.add_attachment(
            upload.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=upload.filename,
        )
    return mail.as_bytes()


_SESSIONS: dict[str, sessionmaker[Session]] = {}


def _take_in(settings: Settings, at: datetime, complaint: Complaint) -> int | None:
    """In the helper process: store and ingest; the case opened or joined, if any."""
    sessions = _SESSIONS.get(settings.database_url)
    if sessions is None:
        sessions = make_session_factory(make_engine(settings.database_url))
        _SESSIONS[settings.database_url] = sessions
    book = playbooks.load(settings.home, workspace_timezone=settings.timezone)
    ctx = IntakeContext(settings, sessions, FrozenClock(at), book)
    raw = as_mail(complaint, to=settings.mail_from, at=at)
    try:
        return _ingest(ctx, raw, complaint)
    except (OperationalError, PoolTimeout) as exc:
        # The driver's error code does not survive the trip back to the server: say
        # "busy" in a form that does, so the server still answers 503 and Retry-After.
        if is_busy(exc):
            raise Busy("the database is busy with other changes; retry in a few seconds") from None
        raise


def _ingest(ctx: IntakeContext, raw: bytes, complaint: Complaint) -> int | None:
    if complaint.robot:
        # A robot filled the hidden field: keep the submission (nothing is dropped
        # silently) but open no case.
        store_only(ctx, raw, source="web-honeypot", reason="honeypot field filled in")
        return None
    return ingest(ctx, raw, source="web", source_ref=f"web:{complaint.client}").case_id


def _follow_parent(parent: int) -> None:
    """In the helper: end when the server does, even if it was killed without a goodbye."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)  # a real process's life, polled; nothing to wake us sooner
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def shutdown() -> None:
    """Stop the helper process (the server is stopping)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def take_in(settings: Settings, at: datetime, complaint: Complaint) -> int | None:
    """Store and ingest ``complaint`` in the helper process; blocks the calling thread."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            # Spawned, not forked: a fork of a threaded server may copy held locks.
            _POOL = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_follow_parent,
                initargs=(os.getpid(),),
            )
        pool = _POOL
    try:
        return pool.submit(_take_in, settings, at, complaint).result()
    except BrokenProcessPool:
        # The helper died (killed, out of memory). The next complaint gets a new helper;
        # this one is taken in here, in the server's own process, so it is never lost:
        # holding the event loop for a moment is better than dropping a complaint.
        with _POOL_LOCK:
            if _POOL is pool:
                _POOL = None
        LOG.warning("the web-form helper process died; taking the complaint in here")
        return _take_in(settings, at, complaint)
