"""Pattern, corrective-action and theme pages.

Adding, linking and moving a corrective action on is for managers and owners in the
browser; every form calls the same service function as the API and CLI.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amends.config import Settings
from amends.errors import InvalidInput
from amends.fields import MAX_DB_INT
from amends.patterns import actions, reading, themes
from amends.patterns.rules import ActionStatus, ChangeKind
from amends.people import service as people
from amends.people.deps import PageUser, SignedIn
from amends.people.models import User
from amends.people.rules import Action, Actor, Role
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.text.languages import SPOKEN
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.render import render
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)
SHOWN = 100
ObjectId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
AppSettings = Annotated[Settings, Depends(get_settings)]
# Where a status form may move an action to, in the order a person would go.
FORWARD = {
    ActionStatus.PLANNED: [ActionStatus.IN_PROGRESS],
    ActionStatus.IN_PROGRESS: [ActionStatus.DONE],
    ActionStatus.DONE: [ActionStatus.VERIFIED, ActionStatus.IN_PROGRESS],
    ActionStatus.VERIFIED: [ActionStatus.IN_PROGRESS],
}


def _ranked_themes(
    session: DbSession, actor: Actor, now: datetime, playbook: Playbook, currency: str
) -> dict[str, Any] | None:
    # Themes add up every case, so only those who may read the whole workspace see them.
    if not actor.allows(Action.READ):
        return None
    found = themes.themes(
        session, actor=actor, now=now, window=playbook.patterns.window, currency=currency
    )
    for theme in found["themes"]:
        theme["at_stake"] = [
            (Decimal(amount), code) for code, amount in theme["revenue_at_stake"].items()
        ]
    return found


def _owners(session: DbSession) -> list[User]:
    return [u for u in people.list_users(session) if u.active and u.role is not Role.VIEWER]


def _manages(user: PageUser) -> bool:
    return user.actor.allows(Action.MANAGE)


@router.get("/patterns", response_class=HTMLResponse)
def patterns_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    settings: AppSettings,
) -> Response:
    actor = user.actor
    now = clock.now()
    found = reading.list_patterns(session, actor=actor, limit=SHOWN).items
    listed = actions.list_actions(session, actor=actor, limit=SHOWN).items
    return render(
        request,
        "patterns.html",
        user.ctx,
        themes=_ranked_themes(session, actor, now, playbook, settings.currency),
        patterns=reading.present(session, found, actor=actor),
        actions=actions.present(session, listed, actor=actor, now=now, policy=playbook.patterns),
    )


@router.get("/patterns/{pattern_id}", response_class=HTMLResponse)
def pattern_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    pattern_id: ObjectId,
) -> Response:
    actor = user.actor
    now = clock.now()
    pattern = reading.get_pattern(session, pattern_id, actor=actor)
    shown = reading.present(session, [pattern], actor=actor)[0]
    cases = reading.members(session, pattern.id, actor=actor)
    linked = actions.list_actions(session, actor=actor, pattern_id=pattern.id, limit=SHOWN).items
    fixes = actions.present(session, linked, actor=actor, now=now, policy=playbook.patterns)
    # What the cases share, rather than the words of the case that started the pattern.
    languages = sorted({c["language"] for c in cases})
    commitments = {c["commitment_id"] for c in cases}
    timeline: list[tuple[datetime, str, dict[str, Any]]] = [
        (c["opened_at"], "opened", c) for c in cases
    ]
    for item in linked:
        timeline.append((item.created_at, "action", {"ref": actions.action_ref(item.id)}))
        if item.done_at is not None:
            timeline.append((item.done_at, "done", {"ref": actions.action_ref(item.id)}))
        if item.verified_at is not None:
            timeline.append((item.verified_at, "verified", {"ref": actions.action_ref(item.id)}))
    timeline.sort(key=lambda row: row[0])
    return render(
        request,
        "pattern.html",
        user.ctx,
        pattern=shown,
        cases=cases,
        languages=languages,
        shared_commitment=len(commitments) == 1 and None not in commitments,
        timeline=timeline,
        actions=fixes,
        forward=FORWARD,
        manages=_manages(user),
        writes=user.actor.allows(Action.WRITE),
        spoken=SPOKEN,
        owners=_owners(session) if _manages(user) else [],
        kinds=list(ChangeKind),
        today=now.date(),
    )


@router.get("/actions", response_class=HTMLResponse)
def actions_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
) -> Response:
    actor = user.actor
    now = clock.now()
    listed = actions.list_actions(session, actor=actor, limit=SHOWN).items
    return render(
        request,
        "actions.html",
        user.ctx,
        actions=actions.present(session, listed, actor=actor, now=now, policy=playbook.patterns),
        forward=FORWARD,
        manages=_manages(user),
        writes=user.actor.allows(Action.WRITE),
        spoken=SPOKEN,
    )


@router.get("/themes", response_class=HTMLResponse)
def themes_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    settings: AppSettings,
) -> Response:
    require(user.actor, Action.READ)
    return render(
        request,
        "themes.html",
        user.ctx,
        themes=_ranked_themes(session, user.actor, clock.now(), playbook, settings.currency),
    )


def _ids(text: str) -> list[int]:
    """Ids written as refs or numbers ("C-12, P-3 14"): each number once, in order."""
    found = [int(n) for n in re.findall(r"\d+", text)]
    if any(n < 1 or n > MAX_DB_INT for n in found):
        raise InvalidInput("an id is out of range", code="invalid-id")
    return list(dict.fromkeys(found))


def _back(pattern: int | None) -> str:
    return f"/patterns/{pattern}" if pattern else "/actions"


@router.post("/actions")
def add_action(
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    description: Annotated[str, Form(max_length=5000)],
    root_cause: Annotated[str, Form(max_length=5000)],
    change_kind: Annotated[ChangeKind, Form()],
    owner_id: Annotated[int, Form(ge=1, le=MAX_DB_INT)],
    due_on: Annotated[str, Form(max_length=20)],
    pattern_id: Annotated[int | None, Form(ge=1, le=MAX_DB_INT)] = None,
    cases: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    require(user.actor, Action.MANAGE)
    try:
        due = date.fromisoformat(due_on)
    except ValueError:
        raise InvalidInput("the due date is not a date", code="invalid-date") from None
    actions.add_action(
        session,
        actor=user.actor,
        now=clock.now(),
        root_cause=root_cause,
        change_kind=change_kind,
        description=description,
        owner_id=owner_id,
        due_on=due,
        case_ids=_ids(cases),
        pattern_ids=[pattern_id] if pattern_id else [],
    )
    return RedirectResponse(_back(pattern_id), status_code=303)


@router.post("/actions/{action_id}/links")
def link_action(
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    action_id: ObjectId,
    patterns_: Annotated[str, Form(alias="patterns", max_length=2000)] = "",
    cases: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[int | None, Form(ge=1, le=MAX_DB_INT)] = None,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    require(user.actor, Action.MANAGE)
    actions.link(
        session,
        action_id,
        actor=user.actor,
        now=clock.now(),
        case_ids=_ids(cases),
        pattern_ids=_ids(patterns_),
    )
    return RedirectResponse(_back(back), status_code=303)


@router.post("/actions/{action_id}/wordings")
def word_action(
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    action_id: ObjectId,
    language: Annotated[str, Form(max_length=35)],
    text: Annotated[str, Form(max_length=5000)] = "",
    back: Annotated[int | None, Form(ge=1, le=MAX_DB_INT)] = None,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """The same ``set_wording`` as ``PUT /api/v1/actions/{id}/wordings/{language}``."""
    check_csrf(user.csrf_token, csrf_token)
    actions.set_wording(
        session, action_id, actor=user.actor, now=clock.now(), language=language, text=text
    )
    return RedirectResponse(f"{_back(back)}#action-{action_id}", status_code=303)


@router.post("/actions/{action_id}/status")
def move_action(
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    action_id: ObjectId,
    status: Annotated[ActionStatus, Form()],
    back: Annotated[int | None, Form(ge=1, le=MAX_DB_INT)] = None,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    require(user.actor, Action.MANAGE)
    actions.set_status(session, action_id, actor=user.actor, now=clock.now(), status=status)
    return RedirectResponse(_back(back), status_code=303)
