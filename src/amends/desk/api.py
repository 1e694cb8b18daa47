"""Saved replies and presence in the JSON API; the pages and the CLI call the same
service functions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from amends.desk import presence, replies
from amends.desk.schemas import (
    FilledReplyOut,
    HereOut,
    PresenceIn,
    PresenceOut,
    SavedReplyChange,
    SavedReplyIn,
    SavedReplyOut,
)
from amends.fields import MAX_DB_INT, Language
from amends.people.deps import ApiActor
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["desk"], responses=PROBLEM_RESPONSES)
PathId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


@router.get("/saved-replies", response_model=list[SavedReplyOut])
def list_saved_replies(
    session: DbSession,
    actor: ApiActor,
    language: Annotated[Language | None, Query(max_length=5)] = None,
) -> list[SavedReplyOut]:
    """Your own saved replies and your team's (every team's for managers)."""
    found = replies.list_replies(session, actor=actor, language=language)
    return [SavedReplyOut.model_validate(r) for r in found]


@router.post("/saved-replies", response_model=SavedReplyOut, status_code=201)
def create_saved_reply(
    body: SavedReplyIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> SavedReplyOut:
    """Save a reply; the coach refuses blame and excuses (409, code coach-findings)."""
    made = replies.create_reply(
        session,
        actor=actor,
        now=clock.now(),
        draft=replies.Draft(body.title, body.text, body.language),
        team_id=body.team_id,
    )
    return SavedReplyOut.model_validate(made)


@router.get("/saved-replies/{reply_id}", response_model=SavedReplyOut)
def get_saved_reply(reply_id: PathId, session: DbSession, actor: ApiActor) -> SavedReplyOut:
    return SavedReplyOut.model_validate(replies.get_reply(session, reply_id, actor=actor))


@router.put("/saved-replies/{reply_id}", response_model=SavedReplyOut)
def change_saved_reply(
    reply_id: PathId, body: SavedReplyChange, session: DbSession, actor: ApiActor, clock: AppClock
) -> SavedReplyOut:
    changed = replies.update_reply(
        session,
        reply_id,
        actor=actor,
        now=clock.now(),
        draft=replies.Draft(body.title, body.text, body.language),
    )
    return SavedReplyOut.model_validate(changed)


@router.delete("/saved-replies/{reply_id}", status_code=204)
def remove_saved_reply(
    reply_id: PathId, session: DbSession, actor: ApiActor, clock: AppClock
) -> Response:
    replies.delete_reply(session, reply_id, actor=actor, now=clock.now())
    return Response(status_code=204)


@router.get("/cases/{case_id}/saved-replies/{reply_id}", response_model=FilledReplyOut)
def fill_saved_reply(
    request: Request,
    case_id: PathId,
    reply_id: PathId,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> FilledReplyOut:
    """The saved reply with its placeholders filled for this case, in the customer's locale."""
    settings = get_settings(request)
    text = replies.fill_for_case(
        session,
        reply_id,
        case_id,
        actor=actor,
        now=clock.now(),
        business=settings.workspace_name,
        timezone=settings.timezone,
    )
    return FilledReplyOut(reply_id=reply_id, case_id=case_id, text=text)


@router.post("/cases/{case_id}/presence", response_model=PresenceOut)
def case_presence(
    case_id: PathId, body: PresenceIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> PresenceOut:
    """Say you have the case open (and whether you are typing); who else has it open."""
    here = presence.beat(session, case_id, actor=actor, now=clock.now(), typing_now=body.typing)
    return PresenceOut(
        case_id=case_id,
        others=[HereOut(user_id=h.user_id, name=h.name, typing=h.typing) for h in here],
    )
