from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amends.errors import NotAuthenticated
from amends.people import service
from amends.people.deps import SignedIn
from amends.web.deps import AppClock, DbSession
from amends.web.render import render
from amends.web.session import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    anonymous_context,
    check_csrf,
    new_csrf_token,
)

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only local paths: "//evil.example" or "https://..." would make sign-in an open redirect.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/cases"


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


@router.post("/signin")
def sign_in(
    request: Request,
    session: DbSession,
    clock: AppClock,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/cases",
) -> Response:
    check_csrf(request.cookies.get(CSRF_COOKIE, ""), csrf_token)
    try:
        token, _user = service.sign_in(session, email=email, password=password, now=clock.now())
    except NotAuthenticated:
        ctx = anonymous_context(request)
        from amends.web.i18n import translations

        message = translations(ctx.language).gettext("The email or password is not right.")
        return _sign_in_page(request, _safe_next(next), message, 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
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
