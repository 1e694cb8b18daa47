from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from amends.cases.rules import case_ref
from amends.customers import service as customers
from amends.errors import InvalidInput
from amends.fields import MAX_DB_INT
from amends.messages import service
from amends.messages.rules import Direction
from amends.messages.schemas import (
    ComplaintIn,
    ComplaintOut,
    MessageCreate,
    MessageOut,
    MessagePage,
)
from amends.web.deps import ApiActor, AppClock, AppPlaybook, DbSession
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
    message = service.record_message(
        session, actor=actor, now=clock.now(), playbook=playbook, **body.model_dump()
    )
    return MessageOut.model_validate(message)


@router.get("/messages/{message_id}", response_model=MessageOut)
def get_message(
    message_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)], session: DbSession, actor: ApiActor
) -> MessageOut:
    return MessageOut.model_validate(service.get_message(session, message_id, actor=actor))


@router.post("/complaints", response_model=ComplaintOut, status_code=201, tags=["messages"])
def receive_complaint(
    body: ComplaintIn, session: DbSession, actor: ApiActor, clock: AppClock, playbook: AppPlaybook
) -> ComplaintOut:
    """A customer complains: the message joins their open case or opens a new one.

    An unknown sender becomes a lead customer rather than being dropped.
    """
    customer_id = body.customer_id
    if customer_id is None:
        if body.from_address is None:
            raise InvalidInput("give customer_id or from_address", code="complaint-sender")
        customer_id = customers.customer_for_sender(
            session,
            actor=actor,
            now=clock.now(),
            address=body.from_address,
            name=body.from_name,
            language=body.language,
        ).id
    received = service.receive_complaint(
        session,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        customer_id=customer_id,
        text=body.text,
        subject=body.subject,
        language=body.language,
        received_at=body.received_at,
        from_address=body.from_address,
    )
    return ComplaintOut(
        message_id=received.message.id,
        case_id=received.case.id,
        case_ref=case_ref(received.case.id),
        customer_id=customer_id,
        opened=received.opened,
    )
