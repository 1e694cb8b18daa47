from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from amends.fields import MAX_DB_INT
from amends.messages import review, service
from amends.messages.rules import Direction, OutboxStatus
from amends.messages.schemas import (
    MessageOut,
    MessagePage,
    OutboxOut,
    ResolutionIn,
)
from amends.people.deps import ApiActor
from amends.web.deps import AppClock, DbSession
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


@router.get("/outbox", response_model=list[OutboxOut])
def list_outbox(
    session: DbSession,
    actor: ApiActor,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[OutboxOut]:
    """Outbox rows, oldest first (owners and managers); ``status=uncertain`` lists the
    replies that were perhaps sent and wait for a person's decision."""
    rows = review.list_outbox(session, actor=actor, status=status, limit=limit)
    return [OutboxOut.of(row) for row in rows]


@router.post("/outbox/{item_id}/resolution", response_model=OutboxOut)
def resolve_outbox_item(
    item_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    body: ResolutionIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> OutboxOut:
    """Settle a reply that was perhaps sent: ``resend`` it, or ``mark_sent``; 409 when it
    is not uncertain. The decision and who made it go on the case's timeline."""
    row = review.resolve(
        session, item_id, actor=actor, now=clock.now(), resolution=body.resolution, note=body.note
    )
    return OutboxOut.of(row)
