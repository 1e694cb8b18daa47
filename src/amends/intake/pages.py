"""The public complaint form: anyone can tell the business something went wrong.

A submission becomes an RFC 5322 message and goes through the same intake pipeline as
mail: stored first, then read and threaded, never twice. CSRF (double-submit cookie), a
honeypot field and a per-address rate limit keep robots out without a captcha.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from amends.cases.rules import case_ref
from amends.fields import clean_email, clean_line, clean_text
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
    from amends.intake.pipeline import IntakeContext, ingest

    check_csrf(request.cookies.get(CSRF_COOKIE, ""), csrf_token)
    _ = translations(anonymous_context(request).language).gettext
    client = request.client.host if request.client else "unknown"
    if not LIMITER.allow(client):
        return _form(
            request,
            429,
            values={"name": name, "email": email, "subject": subject, "message": message},
            error=_("Too many messages from your address. Please try again later."),
        )
    values = {"name": name, "email": email, "subject": subject, "message": message}
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

    mail = EmailMessage()
    mail["From"] = formataddr((sender, address))
    mail["To"] = request.app.state.settings.mail_from
    mail["Subject"] = title or _("Complaint from the web form")
    mail["Date"] = format_datetime(request.app.state.clock.now())
    mail["Message-ID"] = make_msgid(domain="web-form.amends.invalid")
    mail["X-Amends-Channel"] = "web"
    mail.set_content(text)
    for upload in (files or [])[:MAX_ATTACHMENTS]:
        if not upload.filename:
            continue
        # A plain def, run in the thread pool: ingesting writes to the database, which
        # must never wait for SQLite's lock on the event loop. The upload is already
        # spooled by the form parser, so this read is local.
        data = upload.file.read(MAX_ATTACHMENT_BYTES + 1)
        if len(data) > MAX_ATTACHMENT_BYTES:
            return _form(
                request, 413, values=values, error=_("An attachment is larger than 10 MB.")
            )
        maintype, _slash, subtype = (upload.content_type or "application/octet-stream").partition(
            "/"
        )
        mail.add_attachment(
            data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=upload.filename,
        )

    app_state = request.app.state
    ctx = IntakeContext(app_state.settings, app_state.sessions, app_state.clock, app_state.playbook)
    source = "web-honeypot" if website.strip() else "web"
    raw = mail.as_bytes()
    if website.strip():
        # A robot filled the hidden field: keep the submission (nothing is dropped
        # silently) but do not open a case or tell the robot anything different.
        from amends.intake.pipeline import store_only

        store_only(ctx, raw, source=source, reason="honeypot field filled in")
        return render(request, "complaint_done.html", anonymous_context(request), reference=None)
    result = ingest(ctx, raw, source=source, source_ref=f"web:{client}")
    reference = case_ref(result.case_id) if result.case_id else None
    return render(request, "complaint_done.html", anonymous_context(request), reference=reference)
