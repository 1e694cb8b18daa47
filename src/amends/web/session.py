"""Browser sessions and CSRF protection for the HTML pages."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from fastapi.responses import RedirectResponse

from amends.errors import AmendsError
from amends.web import i18n
from amends.web.deps import get_settings
from amends.web.render import PageContext
from amends.web.vocabulary import N_

SESSION_COOKIE = "amends_session"
CSRF_COOKIE = "amends_csrf"


class SignInRequired(AmendsError):
    code = "sign-in-required"
    status = 303
    title = "Sign in"


def anonymous_context(request: Request) -> PageContext:
    settings = get_settings(request)
    language = i18n.pick_language(None, request.headers.get("accept-language"))
    return PageContext(language=language, timezone=settings.timezone, demo=request.app.state.demo)


def check_csrf(expected: str, submitted: str | None) -> None:
    # Compared as bytes: compare_digest raises TypeError on a non-ASCII str, and a forged
    # token of any characters must be a refusal, not a server error.
    if (
        not expected
        or not submitted
        or not hmac.compare_digest(_bytes(expected), _bytes(submitted))
    ):
        raise AmendsError(
            N_("the form has expired or came from another site; reload the page and try again"),
            code="csrf-failed",
        )


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def redirect_to_sign_in(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    from urllib.parse import quote

    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
