"""The public survey page a customer opens from their mail, and the advocates page.

The survey page needs no sign-in and no JavaScript: a plain form that posts back to its
own address. The signed link stands in for a CSRF token (a site that does not have the
link cannot post an answer to it, and one that has it is the customer's mail), and each
link records one answer, so replaying or flooding it changes nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amends.errors import AmendsError, InvalidInput, NotFound
from amends.fields import MAX_DB_INT
from amends.people.deps import SignedIn
from amends.people.rules import Action
from amends.surveys import rules, service
from amends.surveys.rules import LINK_STATUS
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.render import PageContext, render
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=200)]
Score = Annotated[str, Form(max_length=3)]


def _context(request: Request, language: str, timezone: str | None = None) -> PageContext:
    settings = get_settings(request)
    return PageContext(
        language=language,
        timezone=timezone or settings.timezone,
        demo=request.app.state.demo,
    )


def _page(
    request: Request,
    opened: service.Opened,
    *,
    status: int = 200,
    error: AmendsError | None = None,
    chosen: dict[str, str] | None = None,
) -> Response:
    timezone = opened.customer.timezone if opened.customer else None
    ctx = _context(request, opened.language, timezone)
    if opened.problem is not None:
        return render(
            request,
            "survey_refused.html",
            ctx,
            status_code=LINK_STATUS[opened.problem],
            problem=opened.problem.value,
        )
    return render(
        request,
        "survey_form.html",
        ctx,
        status_code=status,
        survey=opened.survey,
        error=error,
        chosen=chosen or {},
        csat_scale=list(rules.CSAT_SCALE),
        nps_scale=list(rules.NPS_SCALE),
        max_comment=rules.MAX_COMMENT,
    )


@router.get("/survey/{token}", response_class=HTMLResponse)
def survey_form(request: Request, session: DbSession, clock: AppClock, token: Token) -> Response:
    secret = get_settings(request).secret()
    return _page(request, service.open_link(session, secret=secret, token=token, now=clock.now()))


@router.post("/survey/{token}", response_class=HTMLResponse)
def answer_survey(
    request: Request,
    session: DbSession,
    clock: AppClock,
    token: Token,
    csat: Score = "",
    nps: Score = "",
    comment: Annotated[str, Form(max_length=rules.MAX_COMMENT * 4)] = "",
) -> Response:
    secret = get_settings(request).secret()
    try:
        opened = service.answer_link(
            session,
            secret=secret,
            token=token,
            now=clock.now(),
            csat=csat,
            nps=nps,
            comment=comment,
        )
    except InvalidInput as exc:
        shown = service.open_link(session, secret=secret, token=token, now=clock.now())
        chosen = {"csat": csat, "nps": nps, "comment": comment}
        return _page(request, shown, status=422, error=exc, chosen=chosen)
    if opened.problem is not None:
        return _page(request, opened)
    timezone = opened.customer.timezone if opened.customer else None
    return render(request, "survey_thanks.html", _context(request, opened.language, timezone))


@router.get("/advocates", response_class=HTMLResponse)
def advocates_page(
    request: Request, session: DbSession, user: SignedIn, done: str | None = None
) -> Response:
    rows = service.list_advocates(session, actor=user.actor)
    return render(
        request,
        "advocates.html",
        user.ctx,
        rows=rows,
        can_reward=user.actor.allows(Action.WRITE),
        done=done == "rewarded",
    )


@router.post("/advocates/{customer_id}/reward")
def reward_advocate(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    customer_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    kind: Annotated[str, Form(max_length=30)] = "gift",
    amount: Annotated[str, Form(max_length=30)] = "0",
    rationale: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    try:
        value = Decimal(amount.strip().replace(",", ".") or "0")
    except InvalidOperation:
        raise InvalidInput("the amount is not a number", code="compensation-amount") from None
    try:
        with session.begin_nested():
            service.reward_advocate(
                session,
                customer_id,
                actor=user.actor,
                now=clock.now(),
                playbook=playbook,
                kind=kind,
                amount=value,
                currency=None,
                rationale=rationale,
            )
    except NotFound:
        raise
    except AmendsError as exc:
        rows = service.list_advocates(session, actor=user.actor)
        return render(
            request,
            "advocates.html",
            user.ctx,
            status_code=exc.status,
            rows=rows,
            can_reward=user.actor.allows(Action.WRITE),
            error=exc,
            error_for=customer_id,
        )
    return RedirectResponse("/advocates?done=rewarded", status_code=303)
