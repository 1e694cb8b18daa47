from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from amends.clock import refuse_future
from amends.fields import MAX_DB_INT
from amends.messages import service
from amends.messages.rules import Direction
from amends.messages.schemas import (
    MessageCreate,
    MessageOut,
    MessagePage,
)
from amends.people.deps import ApiActor
from amends.web.deps import AppClock, AppPlaybook, DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["messages"], responses=PROBLEM_RESPONSES)
FilterId = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]


@router.get("/messages", response_model=MessagePage)
def list_messages(
    session: DbSession,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    case_id: FilterId = None,
    customer_id: FilterId = None,
    direction: Direction | None = None,
) -> MessagePage:
    page = service.list_messages(
        session,
        actor=actor,
        limit=limit,
        offset=offset,
        case_id=case_id,
        customer_id=customer_id,
        direction=direction,
    )
    return MessagePage.model_validate(page, from_attributes=True)


@router.post("/messages", response_model=MessageOut, status_code=201)
def record_message(
    body: MessageCreate,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> MessageOut:
    # Said by a person or a script, a message's time is a fact: mail dates, which other
    # machines' clocks write, are clamped by intake instead.
    refuse_future(body.at, clock.now())
    message = service.record_message(
        session, actor=actor, now=clock.now(), playbook=playbook, **body.model_dump()
    )
    return MessageOut.model_validate(message)


@router.get("/messages/{message_id}", response_model=MessageOut)
def get_message(
    message_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)], session: DbSession, actor: ApiActor
) -> MessageOut:
    return MessageOut.model_validate(service.get_message(session, message_id, actor=actor))
