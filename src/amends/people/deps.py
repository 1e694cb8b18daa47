"""Who is asking: the API's bearer token and the browser's signed-in session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from amends.errors import NotAuthenticated
from amends.people import service as people
from amends.people.rules import Actor
from amends.web import i18n
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.render import PageContext
from amends.web.session import SESSION_COOKIE, SignInRequired


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
