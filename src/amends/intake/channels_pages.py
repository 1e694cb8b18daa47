"""The mail channels in the browser: what the server sends through (SMTP) and reads from
(IMAP), and a button that tries each now, as sending and polling would, changing
nothing. The settings themselves come from the server's environment (AMENDS_SMTP_*,
AMENDS_IMAP_*); the page never shows a password."""

from __future__ import annotations

import imaplib
import smtplib
import ssl
from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from amends.intake import imap
from amends.messages import outbox
from amends.people import service as people
from amends.people.deps import PageUser, SignedIn
from amends.people.rules import Action
from amends.web.deps import get_settings
from amends.web.i18n import translations
from amends.web.render import render
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)
CHECK_TIMEOUT = 10.0  # seconds: a person is waiting for the answer
FAILURES = (OSError, smtplib.SMTPException, imaplib.IMAP4.error, ssl.SSLError)


def _page(request: Request, user: PageUser, *, result: str = "", ok: bool = True) -> Response:
    settings = get_settings(request)
    return render(
        request,
        "settings_mail.html",
        user.ctx,
        smtp=settings,
        mailbox=imap.mailbox_of(settings),
        smtp_password_set=bool(settings.smtp_password.get_secret_value()),
        result=result,
        ok=ok,
    )


@router.get("/settings/mail", response_class=HTMLResponse)
def mail_settings(request: Request, user: SignedIn) -> Response:
    people.require(user.actor, Action.MANAGE)
    return _page(request, user)


# Plain def: the check waits on the network, in the thread pool, never on the event loop.
@router.post("/settings/mail/check", response_class=HTMLResponse)
def check_channel(
    request: Request,
    user: SignedIn,
    channel: Annotated[Literal["smtp", "imap"], Form()],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    people.require(user.actor, Action.MANAGE)
    settings = get_settings(request)
    gettext = translations(user.ctx.language).gettext
    try:
        if channel == "smtp":
            server = outbox.check_smtp(settings.model_copy(update={"smtp_timeout": CHECK_TIMEOUT}))
            said = gettext("Sending works: %(server)s answered and accepted the sign-in.") % {
                "server": server or settings.smtp_host
            }
        else:
            box = imap.mailbox_of(settings)
            if box is None:
                return _page(request, user, result=gettext("No mailbox is set up."), ok=False)
            waiting = imap.check(replace(box, timeout=CHECK_TIMEOUT))
            said = gettext("Reading works: %(folder)s opened, %(count)s unread.") % {
                "folder": box.folder,
                "count": waiting,
            }
    except FAILURES as error:
        # The exception's own words (never the password: neither library puts it there).
        reason = f"{type(error).__name__}: {error}"
        return _page(
            request,
            user,
            result=gettext("It did not work: %(reason)s") % {"reason": reason},
            ok=False,
        )
    return _page(request, user, result=said)
