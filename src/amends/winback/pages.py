"""Win-back and watch pages: the sequences (a manager sees all, an owner their own), the
owner's watch list, and the public page a customer reaches from the "no more contact"
link in a follow-up, in the customer's own language."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amends.fields import MAX_DB_INT
from amends.people.deps import SignedIn
from amends.people.rules import Action
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.i18n import pick_language
from amends.web.render import PageContext, render
from amends.web.session import CSRF_COOKIE, anonymous_context, check_csrf, new_csrf_token
from amends.winback import reading, service, watch
from amends.winback.rules import WinbackOutcome, WinbackStatus, verify

router = APIRouter(include_in_schema=False)
WinbackId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Token = Annotated[str, Path(max_length=100)]
SHOWN = 200


@router.get("/winbacks", response_class=HTMLResponse)
def winback_list(
    request: Request, session: DbSession, user: SignedIn, status: str = ""
) -> Response:
    wanted = WinbackStatus(status) if status in set(WinbackStatus) else None
    page = reading.list_winbacks(session, actor=user.actor, status=wanted, limit=SHOWN)
    return render(
        request,
        "winback/winbacks.html",
        user.ctx,
        items=[reading.for_page(row) for row in reading.describe(session, page.items)],
        viewer_id=user.actor.user_id,
        status=wanted.value if wanted else "",
        statuses=list(WinbackStatus),
        outcomes=list(WinbackOutcome),
        manages=user.actor.allows(Action.MANAGE),
        done=request.query_params.get("done", ""),
    )


@router.post("/winbacks/{winback_id}/stop")
def stop_winback(
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    winback_id: WinbackId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    outcome: Annotated[str, Form(max_length=20)] = "",
    no_contact: Annotated[str, Form(max_length=5)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    item = service.stop(
        session,
        winback_id,
        actor=user.actor,
        now=clock.now(),
        playbook=playbook,
        no_contact=bool(no_contact),
        outcome=WinbackOutcome(outcome) if outcome in set(WinbackOutcome) else None,
        note=note,
    )
    if back == "customer":
        return RedirectResponse(f"/customers/{item.customer_id}", status_code=303)
    return RedirectResponse("/winbacks?done=stopped", status_code=303)


@router.get("/watch", response_class=HTMLResponse)
def watch_page(
    request: Request, session: DbSession, user: SignedIn, everyone: bool = False
) -> Response:
    shown = everyone and user.actor.allows(Action.MANAGE)
    return render(
        request,
        "winback/watch.html",
        user.ctx,
        items=[
            {**row, "due": datetime.fromisoformat(row["due_at"])}
            for row in watch.watch_list(session, actor=user.actor, everyone=shown)
        ],
        everyone=shown,
        manages=user.actor.allows(Action.MANAGE),
    )


# -- the customer's "no more contact" link ----------------------------------------------


def _public(request: Request, session: DbSession, token: str) -> tuple[PageContext, int | None]:
    """The page's context in the customer's language, and the sequence the link names."""
    settings = get_settings(request)
    winback_id = verify(settings.secret(), token)
    ctx = anonymous_context(request)
    if winback_id is not None:
        language = service.customer_language(session, winback_id)
        if language is None:
            winback_id = None
        else:
            ctx.language = pick_language(language, None)
    return ctx, winback_id


def _page(
    request: Request, ctx: PageContext, name: str, *, status: int = 200, **values: object
) -> Response:
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    ctx.csrf_token = csrf
    response = render(request, name, ctx, status_code=status, **values)
    response.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.get("/winback/stop/{token}", response_class=HTMLResponse)
def no_contact_page(request: Request, session: DbSession, token: Token) -> Response:
    """Asks before it acts: mail scanners open links, and opening one must not stop
    anything by itself."""
    ctx, winback_id = _public(request, session, token)
    if winback_id is None:
        return _page(request, ctx, "winback/no_contact.html", status=404, state="unknown")
    return _page(request, ctx, "winback/no_contact.html", state="ask", token=token)


@router.post("/winback/stop/{token}", response_class=HTMLResponse)
def no_contact(
    request: Request,
    session: DbSession,
    clock: AppClock,
    token: Token,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(request.cookies.get(CSRF_COOKIE, ""), csrf_token)
    ctx, winback_id = _public(request, session, token)
    if winback_id is None:
        return _page(request, ctx, "winback/no_contact.html", status=404, state="unknown")
    service.no_contact_from_link(session, winback_id, now=clock.now())
    return _page(request, ctx, "winback/no_contact.html", state="done")
