"""Who is asking: the API's bearer token and the browser's signed-in session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from amends.errors import NotAuthenticated
from amends.people import service as people
from amends.people.models import User
from amends.people.rules import Action, Actor, allows
from amends.web import i18n
from amends.web.deps import AppClock, DbSession, get_clock, get_settings
from amends.web.render import PageContext
from amends.web.session import SESSION_COOKIE, SignInRequired, anonymous_context

log = logging.getLogger("amends.web")
UnreadCounter = Callable[[Session, int], int]


def api_actor(request: Request, session: DbSession, clock: AppClock) -> Actor:
    # In the thread pool like db_session: the lookup may write the token's last use.
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "send a personal API token as 'Authorization: Bearer amd_...'",
            code="token-missing",
        )
    return people.authenticate_token(session, token.strip(), now=clock.now())


ApiActor = Annotated[Actor, Depends(api_actor)]


@dataclass
class PageUser:
    actor: Actor
    ctx: PageContext
    csrf_token: str


def page_user(request: Request, session: DbSession, clock: AppClock) -> PageUser:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired("sign in to continue")
    try:
        row, user = people.web_session(session, token, now=clock.now())
    except NotAuthenticated:
        raise SignInRequired("your session has ended") from None
    ctx = _context(request, session, user, row.csrf_token)
    return PageUser(people.actor_for(user), ctx, row.csrf_token)


def _context(request: Request, session: Session, user: User, csrf_token: str) -> PageContext:
    settings = get_settings(request)
    # The bell's count comes from the notifications' domain, which sits above this one:
    # the application hands in the counter (app.py), so no layer imports upwards.
    unread: UnreadCounter | None = getattr(request.app.state, "unread", None)
    return PageContext(
        language=i18n.pick_language(user.language, request.headers.get("accept-language")),
        timezone=user.timezone or settings.timezone,
        user_name=user.name,
        csrf_token=csrf_token,
        user_email=user.email,
        demo=request.app.state.demo,
        unread=unread(session, user.id) if unread is not None else 0,
        manages=allows(user.role, Action.MANAGE),
    )


def page_context(request: Request) -> PageContext:
    """The context of a page answered outside a route (an error page): the signed-in
    user's language and header when there is one, else the visitor's (Accept-Language).

    Plain ``def``: the caller runs it in the thread pool, as a request dependency would.
    """
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        clock = get_clock(request)
        try:
            with request.app.state.sessions() as session, session.begin():
                row, user = people.web_session(session, token, now=clock.now())
                return _context(request, session, user, row.csrf_token)
        except Exception:  # an error page must render whatever failed here
            log.debug("error page without the user's context", exc_info=True)
    return anonymous_context(request)


SignedIn = Annotated[PageUser, Depends(page_user)]
