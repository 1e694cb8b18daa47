from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from amends.db import nest_savepoints, transaction
from amends.errors import (
    AmendsError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)
from amends.fields import MAX_DB_INT
from amends.people import access, service
from amends.people.deps import PageUser, SignedIn
from amends.people.rules import Action, Role
from amends.people.schemas import TokenOut
from amends.text import address
from amends.text.languages import SPOKEN
from amends.web import problems
from amends.web.deps import AppClock, DbSession
from amends.web.i18n import refusal, translations
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


def _safe_next(target: str | None) -> str:
    # Only local paths: "//evil.example" or "https://..." would make sign-in an open redirect.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    # The home page: the dashboard for owners and managers, the inbox for everyone else.
    return "/"


def _sign_in_page(request: Request, next_url: str, error: str | None, status: int) -> Response:
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    ctx = anonymous_context(request)
    ctx.csrf_token = csrf
    response = render(
        request, "signin.html", ctx, status_code=status, next_url=next_url, error=error
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/signin", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None) -> Response:
    return _sign_in_page(request, _safe_next(next), None, 200)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


def _throttled(request: Request, error: TooManyAttempts, next_url: str) -> Response:
    """A script gets problem+json, a browser the form again; both say when to retry."""
    if _wants_json(request):
        response: Response = problems.problem(error.status, error.code, error.title, error.message)
    else:
        ctx = anonymous_context(request)
        message = refusal(error, translations(ctx.language).gettext, ctx)
        response = _sign_in_page(request, next_url, message, error.status)
    response.headers["Retry-After"] = str(error.extra.get("retry_after", 60))
    return response


# Plain def, so FastAPI runs it in the thread pool: scrypt takes a core for a third of a
# second and must never run on the event loop. Three short transactions rather than the
# request's one: the attempt is committed before the slow check (parallel guesses see
# it), and no lock or connection is held while the password is hashed.
@router.post("/signin")
def sign_in(
    request: Request,
    clock: AppClock,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    check_csrf(request.cookies.get(CSRF_COOKIE, ""), csrf_token)
    next_url = _safe_next(next)
    sessions = request.app.state.sessions
    client = request.client.host if request.client else "unknown"
    try:
        with transaction(sessions) as session:
            attempt = service.begin_sign_in(session, email=email, client=client, now=clock.now())
    except TooManyAttempts as error:
        return _throttled(request, error, next_url)
    checked = service.check_password(attempt, password)
    with transaction(sessions) as session:
        try:
            token, _user = service.finish_sign_in(session, attempt, checked, now=clock.now())
        except NotAuthenticated:
            token = ""  # the failure and its audit row are committed all the same
    if not token:
        ctx = anonymous_context(request)
        message = translations(ctx.language).gettext("The email or password is not right.")
        return _sign_in_page(request, next_url, message, 401)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(service.SESSION_LIFETIME.total_seconds()),
    )
    return response


@router.post("/signout")
def sign_out(
    request: Request,
    session: DbSession,
    user: SignedIn,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    service.sign_out(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _back(request: Request) -> str:
    # Back to the page the switcher was on; only a path of ours (see _safe_next).
    referer = request.headers.get("referer", "")
    path = urlsplit(referer)
    if path.netloc and path.netloc != request.url.netloc:
        return "/cases"
    return _safe_next(path.path + (f"?{path.query}" if path.query else ""))


@router.post("/me/language")
def choose_language(
    request: Request,
    session: DbSession,
    user: SignedIn,
    language: Annotated[str, Form(max_length=35)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """The language switcher in every page's header: kept with the user, not the browser."""
    check_csrf(user.csrf_token, csrf_token)
    if user.actor.user_id is None:
        raise NotAuthenticated("sign in to choose a language")
    service.set_language(session, user.actor.user_id, language)
    return RedirectResponse(_back(request), status_code=303)


def _own_page(
    request: Request, session: Session, user: PageUser, *, done: str = "", status: int = 200
) -> Response:
    if user.actor.user_id is None:
        raise NotAuthenticated("sign in to see your profile")
    return render(
        request,
        "me.html",
        user.ctx,
        status_code=status,
        me=service.get_user(session, user.actor.user_id),
        done=done,
    )


@router.get("/me", response_class=HTMLResponse)
def own_profile(request: Request, session: DbSession, user: SignedIn) -> Response:
    """What amends knows about the signed-in person, and what they may set themselves."""
    return _own_page(request, session, user)


@router.post("/me/gender-form", response_class=HTMLResponse)
def choose_gender_form(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    gender_form: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """The grammatical gender drafts speak in for the signed-in person."""
    check_csrf(user.csrf_token, csrf_token)
    if user.actor.user_id is None:
        raise NotAuthenticated("sign in to see your profile")
    form = address.gender_form(gender_form)
    me = service.get_user(session, user.actor.user_id)
    service.set_gender_form(session, actor=user.actor, user=me, form=form, now=clock.now())
    _ = translations(user.ctx.language).gettext
    return _own_page(request, session, user, done=_("Saved."))


def _settings_page(
    request: Request,
    session: Session,
    user: PageUser,
    *,
    error: AmendsError | None = None,
    done: str = "",
    secret: str = "",
    status: int = 200,
) -> Response:
    gettext = translations(user.ctx.language).gettext
    tokens = [TokenOut.of(t, email) for t, email in service.list_tokens(session)]
    users = service.list_users(session)
    return render(
        request,
        "settings_people.html",
        user.ctx,
        status_code=status,
        users=users,
        teams=service.list_teams(session),
        team_of=service.teams_of(session, {u.id for u in users}),
        tokens=tokens,
        roles=[role.value for role in Role],
        error=refusal(error, gettext, user.ctx) if error else "",
        done=done,
        secret=secret,
        limits=access.limits_of(session, {u.id for u in users}),
        languages=SPOKEN,
    )


def _manager(user: PageUser) -> None:
    # The page lists everyone's tokens: only for those who manage people.
    service.require(user.actor, Action.MANAGE)


@router.get("/settings/people", response_class=HTMLResponse)
def people_settings(request: Request, session: DbSession, user: SignedIn) -> Response:
    """Everyone's role, whether they are active, and every API token, with the actions
    that take access back."""
    _manager(user)
    return _settings_page(request, session, user)


def act_on_people(
    request: Request,
    session: Session,
    user: PageUser,
    csrf_token: str,
    action: Callable[[], str | tuple[str, str]],
) -> Response:
    """Run one change of the people settings for a manager and show the page again with
    what was done, or why it was refused. An action may return, besides its sentence, a
    secret to show once (a one-time link, a token)."""
    check_csrf(user.csrf_token, csrf_token)
    _manager(user)
    nest_savepoints(session)
    try:
        # A refusal part-way (adding someone with a bad limit) leaves nothing written.
        with session.begin_nested():
            done = action()
    except (Forbidden, NotFound, InvalidInput, Conflict) as error:
        return _settings_page(request, session, user, error=error, status=error.status)
    said, secret = done if isinstance(done, tuple) else (done, "")
    return _settings_page(request, session, user, done=said, secret=secret)


@router.post("/settings/people/{user_id}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: PathId,
    role: Annotated[Role, Form()],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def act() -> str:
        target = service.get_user(session, user_id)
        service.set_role(session, actor=user.actor, user=target, role=role, now=clock.now())
        _ = translations(user.ctx.language).gettext
        return _("%(name)s is now: %(role)s") % {"name": target.name, "role": _(role.value)}

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/people/{user_id}/deactivate", response_class=HTMLResponse)
def deactivate_user(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: PathId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def act() -> str:
        target = service.get_user(session, user_id)
        service.deactivate(session, actor=user.actor, user=target, now=clock.now())
        _ = translations(user.ctx.language).gettext
        return _("%(name)s can no longer sign in or use a token.") % {"name": target.name}

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/people/{user_id}/nicknames", response_class=HTMLResponse)
def change_nicknames(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: PathId,
    nicknames: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def act() -> str:
        target = service.get_user(session, user_id)
        given = [n for n in nicknames.split(",") if n.strip()]
        service.set_nicknames(
            session, actor=user.actor, user=target, nicknames=given, now=clock.now()
        )
        _ = translations(user.ctx.language).gettext
        return _("Nicknames of %(name)s saved.") % {"name": target.name}

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/people/{user_id}/gender-form", response_class=HTMLResponse)
def change_gender_form(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: PathId,
    gender_form: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def act() -> str:
        target = service.get_user(session, user_id)
        service.set_gender_form(
            session,
            actor=user.actor,
            user=target,
            form=address.gender_form(gender_form),
            now=clock.now(),
        )
        _ = translations(user.ctx.language).gettext
        return _("Drafts of %(name)s now speak as chosen.") % {"name": target.name}

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    token_id: PathId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def act() -> str:
        token = service.revoke_token(session, actor=user.actor, token_id=token_id, now=clock.now())
        _ = translations(user.ctx.language).gettext
        return _("The token %(prefix)s… no longer works.") % {"prefix": token.prefix}

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/teams", response_class=HTMLResponse)
def add_team(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def act() -> str:
        team = service.create_team(session, actor=user.actor, name=name, now=clock.now())
        _ = translations(user.ctx.language).gettext
        return _("Team %(name)s added.") % {"name": team.name}

    return act_on_people(request, session, user, csrf_token, act)


@router.post("/settings/people/{user_id}/team", response_class=HTMLResponse)
def change_team(
    request: Request,
    session: DbSession,
    clock: AppClock,
    user: SignedIn,
    user_id: PathId,
    team_id: Annotated[str, Form(max_length=12, pattern=r"^\d*$")] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def act() -> str:
        target = service.get_user(session, user_id)
        team = service.get_team(session, int(team_id)) if team_id else None
        service.set_team(session, actor=user.actor, user=target, team=team, now=clock.now())
        _ = translations(user.ctx.language).gettext
        if team is None:
            return _("%(name)s is in no team now.") % {"name": target.name}
        return _("%(name)s is now in %(team)s.") % {"name": target.name, "team": team.name}

    return act_on_people(request, session, user, csrf_token, act)
