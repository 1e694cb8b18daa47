from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import ValidationError

from amends.commitments import board, ledger, service
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
    ExpectationOut,
    WebhookDelivery,
)
from amends.customers import service as customers
from amends.errors import InvalidInput, NotAuthenticated, NotFound
from amends.fields import MAX_DB_INT, UTCTime
from amends.people.deps import ApiActor
from amends.people.rules import SYSTEM
from amends.web.deps import AppClock, DbSession
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


@router.get("/commitments/board")
def commitments_board(
    session: DbSession, actor: ApiActor, clock: AppClock, owner_id: FilterId = None
) -> list[dict[str, Any]]:
    """Due in the next seven days, and missed and not yet in a case, by owner."""
    lanes = board.board(session, actor=actor, now=clock.now(), owner_id=owner_id)
    return [lane.as_dict() for lane in lanes]


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


@router.get("/customers/{customer_id}/expectations", response_model=list[ExpectationOut])
def customer_expectations(
    customer_id: ObjectId, session: DbSession, actor: ApiActor, clock: AppClock
) -> list[ExpectationOut]:
    """Every commitment with each occurrence: delivered on time, late, missed or upcoming."""
    customers.get_customer(session, customer_id, actor=actor)
    view = ledger.expectations(session, customer_id, actor=actor, now=clock.now())
    return [ExpectationOut.model_validate(ledger.expectation_dict(c, o)) for c, o in view]


async def _raw_body(request: Request) -> bytes:
    # Awaited on the event loop (it is network I/O) so the handler itself can be a plain
    # def and do its database work in the thread pool.
    return await request.body()


@router.post("/webhooks/deliveries", response_model=DeliveryOut, status_code=201)
def delivery_webhook(
    request: Request,
    session: DbSession,
    clock: AppClock,
    body: Annotated[bytes, Depends(_raw_body)],
) -> DeliveryOut:
    """Deliveries from other systems, signed with HMAC-SHA256 of the raw body.

    Header ``X-Amends-Signature: sha256=<hex>`` keyed with AMENDS_WEBHOOK_SECRET; the
    webhook is off (404) until that secret is set.
    """
    settings = request.app.state.settings
    secret = settings.webhook_secret.get_secret_value()
    if not secret:
        raise NotFound("the delivery webhook is not enabled", code="webhook-disabled")
    # Bytes: a header is Latin-1 on the wire, and compare_digest raises TypeError on a
    # non-ASCII str, which made a forged signature a server error instead of a 401.
    given = request.headers.get("x-amends-signature", "").encode("latin-1", "replace")
    expected = b"sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(given, expected):
        raise NotAuthenticated("the signature does not match the body", code="signature-invalid")
    try:
        payload = WebhookDelivery.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{where}: {first['msg']}", code="validation-failed") from None
    now = clock.now()
    service.check_delivered_at(payload.delivered_at, now=now)
    commitment = service.find_commitment(session, payload.commitment_external_id, actor=SYSTEM)
    # Last, so a refused body leaves its id free for a corrected resend.
    service.take_webhook_receipt(
        session, delivery_id=payload.delivery_id, sent_at=payload.sent_at, now=now
    )
    delivery = service.add_delivery(
        session,
        actor=SYSTEM,
        now=clock.now(),
        commitment_id=commitment.id,
        delivered_at=payload.delivered_at,
        note=payload.note,
        link=payload.link,
    )
    return DeliveryOut.model_validate(delivery)
