from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from amends.customers import advocates, service
from amends.customers.rules import CustomerStatus, Tier
from amends.customers.schemas import (
    ContactFormIn,
    ContactIn,
    ContactOut,
    CustomerCreate,
    CustomerOut,
    CustomerPage,
    CustomerUpdate,
)
from amends.fields import MAX_DB_INT, Language, SearchWords
from amends.people.deps import ApiActor
from amends.web.deps import AppClock, DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/customers", tags=["customers"], responses=PROBLEM_RESPONSES)
CustomerId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
ContactId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


def _contacts(body: CustomerCreate | CustomerUpdate) -> list[service.ContactInput] | None:
    if body.contacts is None:
        return None
    return [service.ContactInput(**c.model_dump()) for c in body.contacts]


@router.get("", response_model=CustomerPage)
def list_customers(
    session: DbSession,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    status: CustomerStatus | None = None,
    tier: Tier | None = None,
    language: Annotated[Language | None, Query(max_length=35)] = None,
    q: Annotated[
        SearchWords | None, Query(max_length=200, description="name or email contains")
    ] = None,
) -> CustomerPage:
    page = service.list_customers(
        session,
        actor=actor,
        limit=limit,
        offset=offset,
        status=status,
        tier=tier,
        language=language,
        query=q,
    )
    shown = CustomerPage.model_validate(page, from_attributes=True)
    marked = advocates.among(session, [c.id for c in shown.items])
    for item in shown.items:
        item.advocate = item.id in marked
    return shown


@router.post("", response_model=CustomerOut, status_code=201)
def create_customer(
    body: CustomerCreate, session: DbSession, actor: ApiActor, clock: AppClock
) -> CustomerOut:
    data = body.model_dump(exclude={"contacts"})
    customer = service.create_customer(
        session, actor=actor, now=clock.now(), contacts=_contacts(body), **data
    )
    return CustomerOut.model_validate(customer)


@router.patch("/{customer_id}", response_model=CustomerOut)
def update_customer(
    customer_id: CustomerId,
    body: CustomerUpdate,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> CustomerOut:
    changes: dict[str, object] = body.model_dump(exclude_unset=True, exclude={"contacts"})
    if body.contacts is not None:
        changes["contacts"] = _contacts(body)
    # null for a required column means "leave as is"; only external_id may be cleared.
    changes = {k: v for k, v in changes.items() if v is not None or k == "external_id"}
    customer = service.update_customer(
        session, customer_id, actor=actor, now=clock.now(), changes=changes
    )
    return CustomerOut.model_validate(customer)


@router.put("/{customer_id}/contacts/{contact_id}/gender-form", response_model=ContactOut)
def set_contact_form(
    customer_id: CustomerId,
    contact_id: ContactId,
    body: ContactFormIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> ContactOut:
    """How drafts greet a contact where the language needs it: Greek drafts say
    "Αγαπητή Μαρία" or "Αγαπητέ Γιώργο" (the name in the vocative). Null: not said, and a
    Greek name's ending decides, or the greeting needs no gender."""
    contact = service.set_contact_form(
        session, customer_id, contact_id, actor=actor, now=clock.now(), form=body.gender_form
    )
    return ContactOut.model_validate(contact)


@router.post("/{customer_id}/contacts", response_model=ContactOut, status_code=201)
def add_contact(
    customer_id: CustomerId,
    body: ContactIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> ContactOut:
    """Another person to write to at the customer; ``is_primary`` makes them the one
    drafts greet (the first contact is the primary one)."""
    contact = service.add_contact(
        session,
        customer_id,
        actor=actor,
        now=clock.now(),
        contact=service.ContactInput(**body.model_dump()),
    )
    return ContactOut.model_validate(contact)


@router.delete("/{customer_id}/contacts/{contact_id}", status_code=204)
def remove_contact(
    customer_id: CustomerId,
    contact_id: ContactId,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> Response:
    """Stop writing to a contact (their past messages stay); when they were the primary
    contact, the longest-known other one becomes primary."""
    service.remove_contact(session, customer_id, contact_id, actor=actor, now=clock.now())
    return Response(status_code=204)
