"""Settings for each person (add, language, compensation limit, one-time links, tokens)
and the public page where a one-time link is used to choose a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amends.db import transaction
from amends.errors import InvalidInput, NotFound
from amends.fields import MAX_DB_INT, clean_email
from amends.people import access, service
from amends.people.deps import SignedIn
from amends.people.pages import act_on_people
from amends.people.rules import Action, Role
from amends.web.deps import AppClock, DbSession
from amends.web.i18n import pick_language, refusal, translations
from amends.web.render import render
from amends.web.session import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    anonymous_context,
    check_csrf,
    new_csrf_token,
)

router = APIRouter(include_in_schema=False)
PathId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Csrf = Annotated[str, Form(max_length=100)]
LinkToken = Annotated[str, Path(min_length=10, max_length=100, pattern=r"^amw_[A-Za-z0-9_-]+$")]


def link_url(request: Request, token: str) -> str:
    """Where the link takes its holder: this server, as the manager's browser reached it."""
    return f"{str(request.base_url).rstrip('/')}/welcome/{token}"


@router.post("/settings/people", response_class=HTMLResponse)
def add_person(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    email: Annotated[str, Form(min_length=3, max_length=254)],
    role: Annotated[Role, Form()],
    language: Annotated[str, Form(max_length=35)] = "en",
    team_id: Annotated[str, Form(max_length=12, pattern=r"^\d*$")] = "",
    limit: Annotated[str, Form(max_length=20)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Add someone; they get a one-time link to choose their own password."""

    def act() -> tuple[str, str]:
        try:
            address = clean_email(email)
        except ValueError:
            raise InvalidInput(f"{email!r} is not an email address", code="email") from None
        now = clock.now()
        service.require(user.actor, Action.MANAGE)
        person = service.create_user(
            session, email=address, name=name.strip(), role=role, now=now, actor=user.actor
        )
        access.set_user_language(session, actor=user.actor, user=person, language=language, now=now)
        if team_id:
            team = service.get_team(session, int(team_id))
            service.set_team(session, actor=user.actor, user=person, team=team, now=now)
        if limit.strip():
            access.set_limit(
                session, actor=user.actor, user=person, currency=currency, amount=limit, now=now
            )
        token = access.issue_link(session, actor=user.actor, user=person, now=now)
        _ = translations(user.ctx.language).gettext
        return _("%(name)s was added. Give them this one-time link to choose a password:") % {
            "name": person.name
        }, link_url(request, token)

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/people/{user_id}/link", response_class=HTMLResponse)
def new_link(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: PathId,
    csrf_token: Csrf = "",
) -> Response:
    """A forgotten password: a new one-time link (earlier ones stop working)."""

    def act() -> tuple[str, str]:
        person = service.get_user(session, user_id)
        token = access.issue_link(session, actor=user.actor, user=person, now=clock.now())
        _ = translations(user.ctx.language).gettext
        return _("Give %(name)s this one-time link to choose a new password:") % {
            "name": person.name
        }, link_url(request, token)

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/people/{user_id}/language", response_class=HTMLResponse)
def change_language(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: PathId,
    language: Annotated[str, Form(max_length=35)],
    csrf_token: Csrf = "",
) -> Response:
    def act() -> tuple[str, str]:
        person = service.get_user(session, user_id)
        access.set_user_language(
            session, actor=user.actor, user=person, language=language, now=clock.now()
        )
        _ = translations(user.ctx.language).gettext
        return _("%(name)s now reads amends in the language chosen.") % {"name": person.name}, ""

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/people/{user_id}/limit", response_class=HTMLResponse)
def change_limit(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: PathId,
    currency: Annotated[str, Form(min_length=3, max_length=3)],
    limit: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Set what someone may give without a manager in one currency; empty removes it."""

    def act() -> tuple[str, str]:
        person = service.get_user(session, user_id)
        access.set_limit(
            session,
            actor=user.actor,
            user=person,
            currency=currency,
            amount=limit or None,
            now=clock.now(),
        )
        _ = translations(user.ctx.language).gettext
        return _("The compensation limit of %(name)s is changed.") % {"name": person.name}, ""

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: Annotated[int, Form(ge=1, le=MAX_DB_INT)],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    csrf_token: Csrf = "",
) -> Response:
    """A personal API token for someone (shown once, here)."""

    def act() -> tuple[str, str]:
        service.require(user.actor, Action.MANAGE)
        person = service.get_user(session, user_id)
        if person.id != user.actor.user_id:
            service.may_change(session, user.actor, person, person.role)
        token = service.create_token(
            session, user=person, name=name.strip(), now=clock.now(), actor=user.actor
        )
        _ = translations(user.ctx.language).gettext
        return _("A token for %(name)s. Copy it now: it is shown only this once.") % {
            "name": person.name
        }, token

    return act_on_people(request, session, user, csrf_token, act)


# --- the link's own page: no one is signed in here ------------------------------------


def _welcome_page(
    request: Request, token: str, *, language: str, name: str, error: str, status: int
) -> Response:
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    ctx = anonymous_context(request)
    ctx.language = language
    ctx.csrf_token = csrf
    response = render(
        request, "welcome.html", ctx, status_code=status, token=token, name=name, error=error
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


def _link_refused(request: Request, token: str, error: NotFound) -> Response:
    language = pick_language(None, request.headers.get("accept-language"))
    message = refusal(error, translations(language).gettext)
    return _welcome_page(request, token, language=language, name="", error=message, status=404)


@router.get("/welcome/{token}", response_class=HTMLResponse)
def welcome(request: Request, session: DbSession, clock: AppClock, token: LinkToken) -> Response:
    """Choose a password, in the language the manager set for this person."""
    try:
        person = access.link_holder(session, token, now=clock.now())
    except NotFound as error:
        return _link_refused(request, token, error)
    return _welcome_page(
        request, token, language=person.language, name=person.name, error="", status=200
    )


# Plain def: hashing the password takes a core for a moment, never on the event loop.
@router.post("/welcome/{token}")
def use_link(
    request: Request,
    clock: AppClock,
    token: LinkToken,
    password: Annotated[str, Form(max_length=1000)],
    repeat: Annotated[str, Form(max_length=1000)],
    csrf_token: Csrf = "",
) -> Response:
    check_csrf(request.cookies.get(CSRF_COOKIE, ""), csrf_token)
    sessions = request.app.state.sessions
    with transaction(sessions) as session:
        try:
            person = access.link_holder(session, token, now=clock.now())
        except NotFound as error:
            return _link_refused(request, token, error)
        language, name = person.language, person.name
    gettext = translations(language).gettext
    if password != repeat:
        message = gettext("The two passwords are not the same.")
        return _welcome_page(
            request, token, language=language, name=name, error=message, status=400
        )
    try:
        with transaction(sessions) as session:
            cookie, _person = access.redeem_link(session, token, password=password, now=clock.now())
    except InvalidInput as error:
        message = refusal(error, gettext)
        return _welcome_page(
            request, token, language=language, name=name, error=message, status=400
        )
    except NotFound as error:
        return _link_refused(request, token, error)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(service.SESSION_LIFETIME.total_seconds()),
    )
    return response
