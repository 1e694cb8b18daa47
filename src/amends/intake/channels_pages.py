"""The mail channels in the browser: what the server sends through (SMTP) and reads from
(IMAP), a form for each that owners and managers save (over the server's AMENDS_SMTP_* /
AMENDS_IMAP_* environment, see ``messages.channels``), and a button that tries each as
saved, as sending and polling would, changing nothing. No password is ever shown: the
form's password field is empty, and left empty it keeps the one in effect."""

from __future__ import annotations

import imaplib
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from amends.config import Settings
from amends.errors import AmendsError, InvalidInput
from amends.intake import imap
from amends.messages import channels, outbox
from amends.people import service as people
from amends.people.deps import PageUser, SignedIn
from amends.people.rules import Action
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.i18n import refusal, translations
from amends.web.render import render
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)
CHECK_TIMEOUT = 10.0  # seconds: a person is waiting for the answer
# UnicodeError: a sign-in from the environment that SMTP or IMAP cannot carry (ASCII only).
FAILURES = (OSError, smtplib.SMTPException, imaplib.IMAP4.error, ssl.SSLError, UnicodeError)
Text = Annotated[str, Form(max_length=600)]


def _page(
    request: Request,
    session: Session,
    user: PageUser,
    *,
    result: str = "",
    ok: bool = True,
    refused: tuple[channels.Kind, str] | None = None,
    typed: tuple[channels.Kind, channels.ChannelChange] | None = None,
) -> Response:
    """The page: each channel's form holds what is in effect, or, after a refusal, what
    was typed (never the password), with the refusal beside it."""
    settings = get_settings(request)
    shown = {kind: channels.view(session, settings, kind) for kind in channels.KINDS}
    forms: dict[str, dict[str, Any]] = {kind: asdict(view) for kind, view in shown.items()}
    if typed is not None:
        kind, change = typed
        forms[kind] |= {
            "host": change.host,
            "port": change.port,
            "user": change.user,
            "tls": change.tls,
            "folder": change.folder,
            "timeout": change.timeout,
        }
    return render(
        request,
        "settings_mail.html",
        user.ctx,
        status_code=422 if refused else 200,
        shown=shown,
        forms=forms,
        errors=dict([refused]) if refused else {},
        result=result,
        ok=ok,
    )


@router.get("/settings/mail", response_class=HTMLResponse)
def mail_settings(request: Request, session: DbSession, user: SignedIn) -> Response:
    people.require(user.actor, Action.MANAGE)
    return _page(request, session, user)


# Plain def: the check waits on the network, in the thread pool, never on the event loop.
@router.post("/settings/mail/check", response_class=HTMLResponse)
def check_channel(
    request: Request,
    session: DbSession,
    user: SignedIn,
    channel: Annotated[Literal["smtp", "imap"], Form()],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    people.require(user.actor, Action.MANAGE)
    gettext = translations(user.ctx.language).gettext
    try:
        # The channel as saved: what the next send or poll would use.
        settings = channels.effective(session, get_settings(request))
        said = _check(settings, channel, gettext)
    except AmendsError as error:
        return _page(request, session, user, result=refusal(error, gettext, user.ctx), ok=False)
    except FAILURES as error:
        # The exception's own words (never the password: neither library puts it there).
        reason = f"{type(error).__name__}: {error}"
        said, ok = gettext("It did not work: %(reason)s") % {"reason": reason}, False
        return _page(request, session, user, result=said, ok=ok)
    if said is None:
        return _page(request, session, user, result=gettext("No mailbox is set up."), ok=False)
    return _page(request, session, user, result=said)


def _check(settings: Settings, channel: str, gettext: Callable[[str], str]) -> str | None:
    """Try one channel; what to say when it works, None when there is no mailbox."""
    if channel == "smtp":
        server = outbox.check_smtp(settings.model_copy(update={"smtp_timeout": CHECK_TIMEOUT}))
        said = gettext("Sending works: %(server)s answered and accepted the sign-in.") % {
            "server": server or settings.smtp_host
        }
        return said
    box = imap.mailbox_of(settings)
    if box is None:
        return None
    waiting = imap.check(replace(box, timeout=CHECK_TIMEOUT))
    said = gettext("Reading works: %(folder)s opened, %(count)s unread.") % {
        "folder": box.folder,
        "count": waiting,
    }
    return said


# After the check: "/settings/mail/check" must not be taken for a channel's name.
@router.post("/settings/mail/{kind}", response_class=HTMLResponse)
def save_channel(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    kind: channels.Kind,
    host: Text = "",
    port: Text = "",
    mail_user: Annotated[str, Form(alias="user", max_length=600)] = "",
    password: Text = "",
    clear_password: Annotated[bool, Form()] = False,
    tls: Annotated[bool, Form()] = False,
    folder: Text = "INBOX",
    timeout: Text = "30",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Save one channel; from the next send or poll on, every process uses it."""
    check_csrf(user.csrf_token, csrf_token)
    people.require(user.actor, Action.MANAGE)
    change = channels.ChannelChange(
        host, port, mail_user, tls, password, clear_password, folder, timeout
    )
    gettext = translations(user.ctx.language).gettext
    try:
        channels.save(
            session,
            get_settings(request),
            actor=user.actor,
            kind=kind,
            change=change,
            now=clock.now(),
        )
    except InvalidInput as error:
        return _page(
            request,
            session,
            user,
            refused=(kind, refusal(error, gettext, user.ctx)),
            typed=(kind, change),
        )
    said = (
        gettext("Sending settings saved; the next mail sent uses them.")
        if kind == "smtp"
        else gettext("Reading settings saved; the next poll of the mailbox uses them.")
    )
    return _page(request, session, user, result=said)
