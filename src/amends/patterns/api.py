"""Patterns, themes and corrective actions over JSON."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from amends.config import Settings
from amends.fields import MAX_DB_INT
from amends.patterns import actions, reading, themes
from amends.patterns.rules import ActionStatus, PatternStatus
from amends.patterns.schemas import (
    ActionCreate,
    ActionLinksIn,
    ActionOut,
    ActionPage,
    ActionStatusIn,
    PatternOut,
    PatternPage,
    WordingIn,
)
from amends.people.deps import ApiActor
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["patterns"], responses=PROBLEM_RESPONSES)
ObjectId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
AppSettings = Annotated[Settings, Depends(get_settings)]


@router.get("/patterns", response_model=PatternPage)
def list_patterns(
    session: DbSession,
    actor: ApiActor,
    status: PatternStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PatternPage:
    """Systemic patterns, the most recently active first."""
    page = reading.list_patterns(session, actor=actor, status=status, limit=limit, offset=offset)
    return PatternPage(
        items=reading.present(session, page.items, actor=actor),
        limit=page.limit,
        offset=page.offset,
        next_offset=page.next_offset,
    )


@router.get("/patterns/{pattern_id}", response_model=PatternOut)
def get_pattern(pattern_id: ObjectId, session: DbSession, actor: ApiActor) -> PatternOut:
    pattern = reading.get_pattern(session, pattern_id, actor=actor)
    return reading.present(session, [pattern], actor=actor)[0]


@router.get("/themes")
def list_themes(
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
    settings: AppSettings,
    days: Annotated[int | None, Query(ge=1, le=3660, description="window length")] = None,
) -> dict[str, Any]:
    """Case categories and patterns with their cases, customers, recurring revenue at stake
    and trend against the previous window (default: the playbook's pattern window)."""
    window = timedelta(days=days) if days else playbook.patterns.window
    return themes.themes(
        session, actor=actor, now=clock.now(), window=window, currency=settings.currency
    )


@router.get("/actions", response_model=ActionPage)
def list_actions(
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
    status: ActionStatus | None = None,
    pattern_id: FilterId = None,
    case_id: FilterId = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ActionPage:
    """Corrective actions, newest first, each with its verification (did repeats stop?)."""
    page = actions.list_actions(
        session,
        actor=actor,
        status=status,
        pattern_id=pattern_id,
        case_id=case_id,
        limit=limit,
        offset=offset,
    )
    return ActionPage(
        items=actions.present(
            session, page.items, actor=actor, now=clock.now(), policy=playbook.patterns
        ),
        limit=page.limit,
        offset=page.offset,
        next_offset=page.next_offset,
    )


@router.post("/actions", response_model=ActionOut, status_code=201)
def add_action(
    body: ActionCreate,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> ActionOut:
    """Record a corrective action for the cases and patterns it fixes."""
    item = actions.add_action(
        session,
        actor=actor,
        now=clock.now(),
        root_cause=body.root_cause,
        change_kind=body.change_kind,
        description=body.description,
        owner_id=actions.owner_by_email(session, body.owner_email, actor=actor),
        due_on=body.due_on,
        case_ids=body.case_ids,
        pattern_ids=body.pattern_ids,
        wordings=body.wordings,
    )
    return actions.present(session, [item], actor=actor, now=clock.now(), policy=playbook.patterns)[
        0
    ]


@router.put("/actions/{action_id}/wordings/{language}", response_model=ActionOut)
def set_wording(
    action_id: ObjectId,
    language: Annotated[str, Path(max_length=35)],
    body: WordingIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> ActionOut:
    """The change as customers of ``language`` (en, th, sk, el) are told it in the
    "what we changed" drafts; an empty text removes it, and those drafts then name the
    kind of change alone."""
    item = actions.set_wording(
        session, action_id, actor=actor, now=clock.now(), language=language, text=body.text
    )
    return actions.present(session, [item], actor=actor, now=clock.now(), policy=playbook.patterns)[
        0
    ]


@router.get("/actions/{action_id}", response_model=ActionOut)
def get_action(
    action_id: ObjectId, session: DbSession, actor: ApiActor, clock: AppClock, playbook: AppPlaybook
) -> ActionOut:
    item = actions.get_action(session, action_id, actor=actor)
    return actions.present(session, [item], actor=actor, now=clock.now(), policy=playbook.patterns)[
        0
    ]


@router.post("/actions/{action_id}/status", response_model=ActionOut)
def set_action_status(
    action_id: ObjectId,
    body: ActionStatusIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> ActionOut:
    """Move the action on (planned, in_progress, done, verified); verifying is refused
    with 409 while similar cases keep opening after the change."""
    item = actions.set_status(
        session, action_id, actor=actor, now=clock.now(), status=body.status, note=body.note
    )
    return actions.present(session, [item], actor=actor, now=clock.now(), policy=playbook.patterns)[
        0
    ]


@router.post("/actions/{action_id}/links", response_model=ActionOut)
def link_action(
    action_id: ObjectId,
    body: ActionLinksIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> ActionOut:
    """Link more cases or patterns the action fixes."""
    item = actions.link(
        session,
        action_id,
        actor=actor,
        now=clock.now(),
        case_ids=body.case_ids,
        pattern_ids=body.pattern_ids,
    )
    return actions.present(session, [item], actor=actor, now=clock.now(), policy=playbook.patterns)[
        0
    ]
