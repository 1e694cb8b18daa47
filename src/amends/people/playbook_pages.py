"""The playbook in the browser: owners and managers read it, and change it with the same
check a start applies; a file that fails is refused with the same message and nothing
is written. Every save is on the audit log with the file's fingerprints."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from amends.audit import service as audit
from amends.errors import PlaybookError
from amends.people import service
from amends.people.deps import PageUser, SignedIn
from amends.people.rules import Action
from amends.playbook import policy
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.i18n import translations
from amends.web.render import render
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)
MAX_PLAYBOOK = 200_000  # characters; the shipped one is about 4,000


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _page(
    request: Request,
    user: PageUser,
    *,
    text: str | None = None,
    error: str = "",
    done: str = "",
    status: int = 200,
) -> Response:
    saved, is_default = policy.text_of(get_settings(request).home)
    return render(
        request,
        "settings_playbook.html",
        user.ctx,
        status_code=status,
        text=saved if text is None else text,
        is_default=is_default,
        error=error,
        done=done,
    )


@router.get("/settings/playbook", response_class=HTMLResponse)
def playbook_page(request: Request, user: SignedIn) -> Response:
    service.require(user.actor, Action.MANAGE)
    return _page(request, user)


@router.post("/settings/playbook", response_class=HTMLResponse)
def save_playbook(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    text: Annotated[str, Form(max_length=MAX_PLAYBOOK)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    service.require(user.actor, Action.MANAGE)
    settings = get_settings(request)
    # Browsers send CRLF line ends from a textarea; the file keeps the usual LF.
    text = text.replace("\r\n", "\n")
    before, _ = policy.text_of(settings.home)
    try:
        policy.save(settings.home, text, workspace_timezone=settings.timezone)
    except PlaybookError as error:
        return _page(request, user, text=text, error=str(error), status=422)
    audit.record(
        session,
        actor_id=user.actor.user_id,
        action="playbook.saved",
        subject="playbook",
        detail={"before": _fingerprint(before), "after": _fingerprint(text)},
        now=clock.now(),
    )
    gettext = translations(user.ctx.language).gettext
    return _page(request, user, done=gettext("The playbook is saved and applies from now on."))
