from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from amends.fields import MAX_DB_INT
from amends.messages import service
from amends.messages.rules import Direction
from amends.messages.schemas import (
    MessageOut,
    MessagePage,
)
from amends.people.deps import ApiActor
from amends.web.deps import DbSession
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


@router.get("/messages/{message_id}", response_model=MessageOut)
def get_message(
    message_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)], session: DbSession, actor: ApiActor
) -> MessageOut:
    return MessageOut.model_validate(service.get_message(session, message_id, actor=actor))
