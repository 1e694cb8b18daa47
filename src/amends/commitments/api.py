from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from amends.commitments import service
from amends.commitments.rules import CommitmentKind, CommitmentStatus
from amends.commitments.schemas import (
    CommitmentCreate,
    CommitmentOut,
    CommitmentPage,
    CommitmentUpdate,
    DeliveryCreate,
    DeliveryOut,
    DeliveryPage,
    DeliveryUpdate,
)
from amends.fields import MAX_DB_INT, UTCTime
from amends.web.deps import ApiActor, AppClock, DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["commitments"], responses=PROBLEM_RESPONSES)
ObjectId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/commitments", response_model=CommitmentPage)
def list_commitments(
    session: DbSession,
    actor: ApiActor,
    limit: Limit = 50,
    offset: Offset = 0,
    customer_id: FilterId = None,
    owner_id: FilterId = None,
    status: CommitmentStatus | None = None,
    kind: CommitmentKind | None = None,
) -> CommitmentPage:
    page = service.list_commitments(
        session,
        actor=actor,
        limit=limit,
        offset=offset,
        customer_id=customer_id,
        owner_id=owner_id,
        status=status,
        kind=kind,
    )
    return CommitmentPage.model_validate(page, from_attributes=True)


@router.post("/commitments", response_model=CommitmentOut, status_code=201)
def create_commitment(
    body: CommitmentCreate, session: DbSession, actor: ApiActor, clock: AppClock
) -> CommitmentOut:
    data = body.model_dump()
    commitment = service.create_commitment(session, actor=actor, now=clock.now(), **data)
    return CommitmentOut.model_validate(commitment)


@router.get("/commitments/{commitment_id}", response_model=CommitmentOut)
def get_commitment(commitment_id: ObjectId, session: DbSession, actor: ApiActor) -> CommitmentOut:
    return CommitmentOut.model_validate(service.get_commitment(session, commitment_id, actor=actor))


@router.patch("/commitments/{commitment_id}", response_model=CommitmentOut)
def update_commitment(
    commitment_id: ObjectId,
    body: CommitmentUpdate,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> CommitmentOut:
    nullable = {"due_at", "rrule", "owner_id"}
    changes = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k in nullable
    }
    commitment = service.update_commitment(
        session, commitment_id, actor=actor, now=clock.now(), changes=changes
    )
    return CommitmentOut.model_validate(commitment)


@router.get("/deliveries", response_model=DeliveryPage)
def list_deliveries(
    session: DbSession,
    actor: ApiActor,
    limit: Limit = 50,
    offset: Offset = 0,
    commitment_id: FilterId = None,
    since: UTCTime | None = None,
    until: UTCTime | None = None,
) -> DeliveryPage:
    page = service.list_deliveries(
        session,
        actor=actor,
        limit=limit,
        offset=offset,
        commitment_id=commitment_id,
        since=since,
        until=until,
    )
    return DeliveryPage.model_validate(page, from_attributes=True)


@router.post("/deliveries", response_model=DeliveryOut, status_code=201)
def add_delivery(
    body: DeliveryCreate, session: DbSession, actor: ApiActor, clock: AppClock
) -> DeliveryOut:
    delivery = service.add_delivery(session, actor=actor, now=clock.now(), **body.model_dump())
    return DeliveryOut.model_validate(delivery)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
def get_delivery(delivery_id: ObjectId, session: DbSession, actor: ApiActor) -> DeliveryOut:
    return DeliveryOut.model_validate(service.get_delivery(session, delivery_id, actor=actor))


@router.patch("/deliveries/{delivery_id}", response_model=DeliveryOut)
def update_delivery(
    delivery_id: ObjectId, body: DeliveryUpdate, session: DbSession, actor: ApiActor
) -> DeliveryOut:
    changes = {
        k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k == "link"
    }
    return DeliveryOut.model_validate(
        service.update_delivery(session, delivery_id, actor=actor, changes=changes)
    )
