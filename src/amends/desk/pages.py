"""The desk in the browser: who else is on a case (asked every few seconds by the case
page), saved replies (a settings page, and their text filled for a case's composer),
"assign to me" and "next case" for the keyboard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import steps as case_steps
from amends.cases.models import Case
from amends.cases.rules import CaseState
from amends.desk import presence, replies
from amends.desk.rules import LANGUAGES, PLACEHOLDERS
from amends.errors import AmendsError
from amends.fields import MAX_DB_INT
from amends.people import service as people
from amends.people.deps import PageUser, SignedIn
from amends.people.rules import Action
from amends.text.digits import is_digits
from amends.web import forms
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.i18n import language_name, refusal, translations
from amends.web.render import render
from amends.web.session import check_csrf
from amends.web.vocabulary import N_

router = APIRouter(include_in_schema=False)
PathId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Csrf = Annotated[str, Form(max_length=100)]
Title = Annotated[str, Form(max_length=300)]
Body = Annotated[str, Form(max_length=20_000)]
Lang = Annotated[str, Form(max_length=10)]

PLACEHOLDER_LABELS = {
    "customer_name": N_("the customer's name (their main contact's)"),
    "case_ref": N_("the case's reference"),
    "agent_name": N_("your name"),
    "business_name": N_("the business's name"),
    "today": N_("today's date, as the customer writes dates"),
    "due_date": N_("tomorrow's date, as the customer writes dates"),
    "compensation": N_("the compensation given, in the customer's currency and format"),
}
SAVED_RESULTS = {
    "created": N_("Saved."),
    "changed": N_("Changed."),
    "removed": N_("Removed."),
}
# What a refused saved reply says, by code; anything else says the engine's sentence.
SAVED_REFUSALS = {
    "coach-findings": N_(
        "The coach refused this saved reply: it shifts the blame or makes excuses. "
        "Rewrite the marked words."
    ),
}


# --- who else is here ----------------------------------------------------------------


@router.post("/cases/{case_id}/presence", response_class=HTMLResponse)
def case_presence(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    case_id: PathId,
    csrf_token: Csrf = "",
    typing: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """The case page's beat: I am here (typing, or not); who else is."""
    check_csrf(user.csrf_token, csrf_token)
    here = presence.beat(
        session, case_id, actor=user.actor, now=clock.now(), typing_now=typing == "1"
    )
    return render(request, "_presence_list.html", user.ctx, others=here)


# --- keyboard: assign to me, next case -----------------------------------------------


@router.post("/cases/{case_id}/take")
def take_case(
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    case_id: PathId,
    csrf_token: Csrf = "",
) -> Response:
    """Assign to me: a hand-off to oneself, counted and on the timeline like any other."""
    check_csrf(user.csrf_token, csrf_token)
    assert user.actor.user_id is not None
    case_steps.handoff(
        session,
        case_id,
        actor=user.actor,
        now=clock.now(),
        to_user_id=user.actor.user_id,
        reason="assigned to themselves",
    )
    return RedirectResponse(f"/cases/{case_id}?done=handoff", status_code=303)


@router.get("/next-case")
def next_case(
    session: DbSession,
    user: SignedIn,
    after: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
) -> Response:
    """The case after ``after`` among my open cases, most urgent first (the inbox's
    order); past the last, the first again; none open, the inbox."""
    mine = list(
        session.scalars(
            select(Case.id)
            .where(Case.owner_id == user.actor.user_id, Case.state != CaseState.CLOSED)
            .order_by(Case.urgency_at.is_(None), Case.urgency_at, Case.id)
            .limit(1000)
        )
    )
    if not mine:
        return RedirectResponse("/cases", status_code=303)
    target = mine[0]
    if after in mine:
        target = mine[(mine.index(after) + 1) % len(mine)]
    return RedirectResponse(f"/cases/{target}", status_code=303)


# --- saved replies -------------------------------------------------------------------


@router.get("/cases/{case_id}/saved-replies/{reply_id}", response_class=PlainTextResponse)
def filled_reply(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    case_id: PathId,
    reply_id: PathId,
) -> Response:
    """A saved reply's text filled for this case, for the composer to insert (script)."""
    settings = get_settings(request)
    text = replies.fill_for_case(
        session,
        reply_id,
        case_id,
        actor=user.actor,
        now=clock.now(),
        business=settings.workspace_name,
        timezone=settings.timezone,
    )
    return PlainTextResponse(text, headers={"Cache-Control": "no-store"})


def _settings_page(
    request: Request,
    session: Session,
    user: PageUser,
    *,
    done: str | None = None,
    error: AmendsError | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    _ = translations(user.ctx.language).gettext
    mine = replies.list_replies(session, actor=user.actor)
    manages = user.actor.allows(Action.MANAGE)
    teams = people.list_teams(session) if manages else []
    team_names = {t.id: t.name for t in people.list_teams(session)}
    message = None
    if error is not None:
        known = SAVED_REFUSALS.get(error.code)
        message = _(known) if known else refusal(error, _, user.ctx)
    return render(
        request,
        "settings_replies.html",
        user.ctx,
        status_code=status_code,
        replies=mine,
        editable={r.id for r in mine if replies.can_edit(user.actor, r)},
        teams=teams,
        team_names=team_names,
        languages=[(code, language_name(code, user.ctx.language)) for code in LANGUAGES],
        placeholders=[(name, PLACEHOLDER_LABELS[name]) for name in PLACEHOLDERS],
        result=_(SAVED_RESULTS[done]) if done in SAVED_RESULTS else None,
        error=message,
        error_code=error.code if error is not None else "",
        findings=error.extra.get("findings", []) if error is not None else [],
        form=form or {"language": user.ctx.language, "title": "", "text": "", "scope": ""},
    )


@router.get("/settings/replies", response_class=HTMLResponse)
def saved_replies_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    return _settings_page(request, session, user, done=done)


def _refused(request: Request, session: Session, user: PageUser, error: AmendsError) -> Response:
    return _settings_page(request, session, user, error=error, status_code=error.status)


def _back(result: str) -> Response:
    return RedirectResponse(f"/settings/replies?done={result}", status_code=303)


def _scope(value: str) -> int | None:
    """ "" is personal; a team's id otherwise (the service checks the team and the role)."""
    return int(value) if is_digits(value) and 0 < int(value) <= MAX_DB_INT else None


@router.post("/settings/replies", response_class=HTMLResponse)
def create_saved_reply(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    title: Title = "",
    text: Body = "",
    language: Lang = "",
    scope: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Csrf = "",
) -> Response:
    draft = replies.Draft(title, text, language)
    form = {"title": title, "text": text, "language": language, "scope": scope}
    return forms.form_action(
        session,
        user.csrf_token,
        csrf_token,
        lambda: replies.create_reply(
            session, actor=user.actor, now=clock.now(), draft=draft, team_id=_scope(scope)
        ),
        refused=lambda refused: _settings_page(
            request, session, user, error=refused, form=form, status_code=refused.status
        ),
        done=lambda _: _back("created"),
    )


@router.post("/settings/replies/{reply_id}", response_class=HTMLResponse)
def change_saved_reply(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    reply_id: PathId,
    title: Title = "",
    text: Body = "",
    language: Lang = "",
    csrf_token: Csrf = "",
) -> Response:
    draft = replies.Draft(title, text, language)
    return forms.form_action(
        session,
        user.csrf_token,
        csrf_token,
        lambda: replies.update_reply(
            session, reply_id, actor=user.actor, now=clock.now(), draft=draft
        ),
        refused=lambda refused: _refused(request, session, user, refused),
        done=lambda _: _back("changed"),
    )


@router.post("/settings/replies/{reply_id}/delete", response_class=HTMLResponse)
def remove_saved_reply(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    reply_id: PathId,
    csrf_token: Csrf = "",
) -> Response:
    return forms.form_action(
        session,
        user.csrf_token,
        csrf_token,
        lambda: replies.delete_reply(session, reply_id, actor=user.actor, now=clock.now()),
        refused=lambda refused: _refused(request, session, user, refused),
        done=lambda _: _back("removed"),
    )
