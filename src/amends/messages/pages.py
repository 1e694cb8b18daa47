"""The outbox page: replies that were perhaps sent, for a manager to settle.

Owners and managers only: it shows every customer's address and decides resends. Each
decision posts a form (CSRF-checked) and calls the same ``messages.review`` the API and
the CLI call, then redirects back (POST-redirect-GET) with a short result message.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amends.errors import Conflict, InvalidInput
from amends.fields import MAX_DB_INT
from amends.messages import review
from amends.messages.rules import OutboxStatus, Resolution
from amends.people.deps import SignedIn
from amends.web.deps import AppClock, DbSession
from amends.web.i18n import translations
from amends.web.render import render
from amends.web.session import check_csrf
from amends.web.vocabulary import N_

router = APIRouter(include_in_schema=False)
SHOWN = 200

# After a decision the page says what happened; keys, not text, travel in the URL.
RESULTS = {
    "resend": N_("The reply is in the outbox again and goes out at the next send."),
    "mark_sent": N_("The reply is recorded as sent; it will not be sent again."),
}


@router.get("/outbox", response_class=HTMLResponse)
def outbox_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _page(request, session, user, done=done)


@router.post("/outbox/{item_id}/resolution")
def resolve(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    item_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    resolution: Annotated[str, Form(max_length=20)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    try:
        decision = Resolution(resolution)
    except ValueError:
        raise InvalidInput(f"{resolution!r} is not a choice here", code="invalid-input") from None
    try:
        with session.begin_nested():
            review.resolve(
                session,
                item_id,
                actor=user.actor,
                now=clock.now(),
                resolution=decision,
                note=note,
            )
    except Conflict:
        # Someone settled it first (or its late sender did): the page shows where it is now.
        _ = translations(user.ctx.language).gettext
        error = _("This reply was settled meanwhile; the list shows where it is now.")
        return _page(request, session, user, error=error, status_code=409)
    return RedirectResponse(f"/outbox?done={decision.value}", status_code=303)


def _page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    *,
    done: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    rows = review.list_outbox(session, actor=user.actor, status=OutboxStatus.UNCERTAIN, limit=SHOWN)
    _ = translations(user.ctx.language).gettext
    return render(
        request,
        "outbox.html",
        user.ctx,
        status_code=status_code,
        rows=rows,
        result=_(RESULTS[done]) if done in RESULTS else "",
        error=error,
    )
