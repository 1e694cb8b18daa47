"""Browser sessions and CSRF protection for the HTML pages."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from amends.errors import AmendsError, NotAuthenticated
from amends.people import service as people
from amends.people.rules import Actor
from amends.web import i18n
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.render import PageContext

SESSION_COOKIE = "amends_session"
CSRF_COOKIE = "amends_csrf"


class SignInRequired(AmendsError):
    code = "sign-in-required"
    status = 303
    title = "Sign in"


@dataclass
class PageUser:
    actor: Actor
    ctx: PageContext
    csrf_token: str


def anonymous_context(request: Request) -> PageContext:
    settings = get_settings(request)
    language = i18n.pick_language(None, request.headers.get("accept-language"))
    return PageContext(language=language, timezone=settings.timezone, demo=request.app.state.demo)


def page_user(request: Request, session: DbSession, clock: AppClock) -> PageUser:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired("sign in to continue")
    try:
        row, user = people.web_session(session, token, now=clock.now())
    except NotAuthenticated:
        raise SignInRequired("your session has ended") from None
    settings = get_settings(request)
    ctx = PageContext(
        language=i18n.pick_language(user.language, request.headers.get("accept-language")),
        timezone=user.timezone or settings.timezone,
        user_name=user.name,
        csrf_token=row.csrf_token,
        user_email=user.email,
        demo=request.app.state.demo,
    )
    return PageUser(people.actor_for(user), ctx, row.csrf_token)


SignedIn = Annotated[PageUser, Depends(page_user)]


def check_csrf(expected: str, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(expected, submitted):
        raise AmendsError(
            "the form has expired or came from another site; reload the page and try again",
            code="csrf-failed",
        )


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def redirect_to_sign_in(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    from urllib.parse import quote

    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
