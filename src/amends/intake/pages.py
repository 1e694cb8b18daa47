"""The public complaint form: anyone can tell the business something went wrong; and the
files received with complaints, served back to those who may see their case.

A submission becomes an RFC 5322 message and goes through the same intake pipeline as
mail: stored first, then read and threaded, never twice. CSRF (double-submit cookie), a
honeypot field and a per-address rate limit keep robots out without a captcha.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import deque
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response

from amends.cases.rules import case_ref
from amends.fields import MAX_DB_INT, clean_email, clean_line, clean_text
from amends.intake import store, webform
from amends.messages import service as messages
from amends.people.deps import SignedIn
from amends.text.header import header_problem
from amends.web.deps import DbSession
from amends.web.i18n import translations
from amends.web.render import render
from amends.web.session import CSRF_COOKIE, anonymous_context, check_csrf, new_csrf_token

router = APIRouter(include_in_schema=False)

MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
RATE_LIMIT = 5  # submissions per address
RATE_WINDOW = 600.0  # seconds


class RateLimiter:
    """Sliding-window limit per client address, in memory (one per server process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


LIMITER = RateLimiter(RATE_LIMIT, RATE_WINDOW)


def _form(request: Request, status: int = 200, **values: object) -> Response:
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    ctx = anonymous_context(request)
    ctx.csrf_token = csrf
    response = render(request, "complaint.html", ctx, status_code=status, **values)
    response.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.get("/complaint", response_class=HTMLResponse)
def complaint_form(request: Request) -> Response:
    return _form(request, values={})


# A plain def, run in the thread pool, which waits there while a helper process builds,
# stores and parses the message (intake.webform): the database never waits on the event
# loop, and the parser's long GIL-holding calls never run in the server's interpreter.
@router.post("/complaint", response_class=HTMLResponse)
def submit_complaint(
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    subject: Annotated[str, Form(max_length=300)] = "",
    message: Annotated[str, Form(max_length=20_000)] = "",
    website: Annotated[str, Form(max_length=500)] = "",  # the honeypot: people never see it
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    files: list[UploadFile] | None = None,
) -> Response:
    check_csrf(request.cookies.get(CSRF_COOKIE, ""), csrf_token)
    _ = translations(anonymous_context(request).language).gettext
    client = request.client.host if request.client else "unknown"
    values = {"name": name, "email": email, "subject": subject, "message": message}
    if not LIMITER.allow(client):
        return _form(
            request,
            429,
            values=values,
            error=_("Too many messages from your address. Please try again later."),
        )
    if header_problem(subject.strip()) is not None or header_problem(name.strip()) is not None:
        # Both become mail headers; a line break in one once stopped every reply we sent.
        return _form(
            request,
            422,
            values=values,
            error=_("Your name and the subject must each be one line, without special characters."),
        )
    try:
        address = clean_email(email)
        text = clean_text(message).strip()
        title = clean_line(subject) if subject.strip() else ""
        sender = clean_line(name) if name.strip() else ""
        if len(text) < 10:
            raise ValueError("short")
    except ValueError:
        return _form(
            request,
            422,
            values=values,
            error=_("Please give a valid email address and tell us what happened."),
        )
    uploads = []
    for upload in (files or [])[:MAX_ATTACHMENTS]:
        if not upload.filename:
            continue
        # Spooled by the form parser (bounded by the upload cap), so this read is local.
        data = upload.file.read(MAX_ATTACHMENT_BYTES + 1)
        if len(data) > MAX_ATTACHMENT_BYTES:
            return _form(
                request, 413, values=values, error=_("An attachment is larger than 10 MB.")
            )
        kind = upload.content_type or "application/octet-stream"
        uploads.append(webform.Upload(upload.filename, kind, data))
    complaint = webform.Complaint(
        sender=sender,
        address=address,
        title=title or _("Complaint from the web form"),
        text=text,
        client=client,
        uploads=tuple(uploads),
        robot=bool(website.strip()),
    )
    state = request.app.state
    case_id = webform.take_in(state.settings, state.clock.now(), complaint)
    reference = case_ref(case_id) if case_id else None
    return render(request, "complaint_done.html", anonymous_context(request), reference=reference)


# -- attachments, downloaded from their case -----------------------------------------------

# Types a browser shows but never runs; anything else (HTML, SVG, XML, scripts, unknown)
# is served as bytes. The sender chose the stored type, so it is only a hint.
SAFE_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "audio/mpeg",
        "video/mp4",
    }
)


def safe_content_type(stored: str) -> str:
    """The type to serve a received file as: its own when harmless, else plain bytes."""
    kind = stored.split(";", 1)[0].strip().lower()
    return kind if kind in SAFE_TYPES else "application/octet-stream"


def content_disposition(filename: str) -> str:
    """Always a download: an ASCII fallback name and the real one (RFC 6266, RFC 8187)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,10}", ext):
        stem, ext = filename, ""

    def ascii_only(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9._ -]+", "_", folded).strip(" .")

    fallback = (ascii_only(stem) or "attachment") + (f".{ext}" if ext else "")
    real = quote(unicodedata.normalize("NFC", filename) or fallback, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{real}"


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def download_attachment(
    request: Request,
    session: DbSession,
    user: SignedIn,
    case_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    attachment_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
) -> Response:
    """A file of a case the user may see, as a download; never shown in the page."""
    found = messages.case_attachment(session, case_id, attachment_id, actor=user.actor)
    # Streamed from disk, not read into memory: mail may bring large files.
    path = store.find(store.attachments_root(request.app.state.settings.home), found.sha256)
    return FileResponse(
        path,
        media_type=safe_content_type(found.content_type),
        headers={
            "Content-Disposition": content_disposition(found.filename),
            "X-Content-Type-Options": "nosniff",
            # Opened directly anyway, it may run nothing and load nothing.
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )
