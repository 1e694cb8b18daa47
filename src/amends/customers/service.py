"""Customers and their contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from amends.customers import search
from amends.customers.models import Contact, Customer
from amends.customers.rules import (
    CustomerStatus,
    Tier,
    matches_by_domain,
    takes_automated_messages,
)
from amends.errors import Conflict, NotFound
from amends.paging import Page, paginate
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.text.address import GenderForm
from amends.workspace import service as workspace


@dataclass(frozen=True)
class ContactInput:
    name: str
    email: str | None = None
    phone: str | None = None
    is_primary: bool = False
    gender_form: GenderForm | None = None


def _contact(given: ContactInput) -> Contact:
    return Contact(
        name=given.name,
        email=given.email,
        phone=given.phone,
        is_primary=given.is_primary,
        gender_form=given.gender_form,
    )


def create_customer(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    name: str,
    language: str,
    timezone: str,
    currency: str,
    recurring_value: Decimal = Decimal("0"),
    tier: Tier = Tier.STANDARD,
    status: CustomerStatus = CustomerStatus.ACTIVE,
    external_id: str | None = None,
    contacts: list[ContactInput] | None = None,
    notes: str = "",
    is_lead: bool = False,
    late_payments: int | None = None,
) -> Customer:
    require(actor, Action.WRITE)
    if external_id is not None and session.scalar(
        select(Customer.id).where(Customer.external_id == external_id)
    ):
        raise Conflict(
            f"a customer with external id {external_id!r} already exists", code="customer-exists"
        )
    customer = Customer(
        external_id=external_id,
        name=name,
        language=language,
        timezone=timezone,
        currency=currency,
        recurring_value=recurring_value,
        tier=tier,
        status=status,
        is_lead=is_lead,
        notes=notes,
        late_payments=late_payments,
        created_at=now,
        updated_at=now,
    )
    customer.contacts = [_contact(c) for c in contacts or []]
    session.add(customer)
    session.flush()
    return customer


def get_customer(session: Session, customer_id: int, *, actor: Actor) -> Customer:
    require(actor, Action.READ)
    customer = session.get(Customer, customer_id, options=[selectinload(Customer.contacts)])
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist", code="customer-not-found")
    return customer


UPDATABLE = frozenset(
    {
        "name",
        "language",
        "timezone",
        "currency",
        "recurring_value",
        "tier",
        "status",
        "notes",
        "late_payments",
    }
)


def add_contact(
    session: Session, customer_id: int, *, actor: Actor, now: datetime, contact: ContactInput
) -> Contact:
    """Another person to write to at the customer; a primary one takes the place of the
    primary before (drafts greet the primary contact)."""
    require(actor, Action.WRITE)
    customer = get_customer(session, customer_id, actor=actor)
    if contact.email is not None and any(c.email == contact.email for c in customer.contacts):
        raise Conflict(
            f"{contact.email} is already a contact of this customer", code="contact-exists"
        )
    if contact.is_primary or not customer.contacts:
        for other in customer.contacts:
            other.is_primary = False
    added = _contact(contact)
    added.is_primary = contact.is_primary or not customer.contacts
    customer.contacts.append(added)
    customer.updated_at = now
    session.flush()
    return added


def remove_contact(
    session: Session, customer_id: int, contact_id: int, *, actor: Actor, now: datetime
) -> None:
    """Stop writing to one of the customer's contacts (their past messages stay); when it
    was the primary one, the longest-known other contact becomes primary."""
    require(actor, Action.WRITE)
    customer = get_customer(session, customer_id, actor=actor)
    gone = _their_contact(customer, contact_id)
    customer.contacts.remove(gone)
    if gone.is_primary and customer.contacts:
        min(customer.contacts, key=lambda c: c.id).is_primary = True
    customer.updated_at = now
    session.flush()


def _their_contact(customer: Customer, contact_id: int) -> Contact:
    found = next((c for c in customer.contacts if c.id == contact_id), None)
    if found is None:
        raise NotFound(
            f"customer {customer.id} has no contact {contact_id}", code="contact-not-found"
        )
    return found


def set_contact_form(
    session: Session,
    customer_id: int,
    contact_id: int,
    *,
    actor: Actor,
    now: datetime,
    form: GenderForm | None,
) -> Contact:
    """How drafts greet one of the customer's contacts (None: not said)."""
    require(actor, Action.WRITE)
    customer = get_customer(session, customer_id, actor=actor)
    contact = _their_contact(customer, contact_id)
    contact.gender_form = form
    customer.updated_at = now
    session.flush()
    return contact


def accepts_automated_messages(session: Session, customer_id: int) -> bool:
    """Whether the system may write to this customer by itself (a survey, a win-back
    step, a sweep's proactive apology): never once they parted ways. Every automated
    sender asks this, or marks its message automated and lets ``messages.outbox.queue``
    ask it."""
    status = session.scalar(select(Customer.status).where(Customer.id == customer_id))
    return status is not None and takes_automated_messages(status)


def update_customer(
    session: Session, customer_id: int, *, actor: Actor, now: datetime, changes: dict[str, object]
) -> Customer:
    require(actor, Action.WRITE)
    customer = get_customer(session, customer_id, actor=actor)
    unknown = set(changes) - UPDATABLE - {"external_id", "contacts"}
    if unknown:
        raise Conflict(f"cannot change {', '.join(sorted(unknown))}", code="field-not-updatable")
    for key, value in changes.items():
        if key == "contacts":
            assert isinstance(value, list)
            customer.contacts = [_contact(c) for c in value]
        elif key == "external_id":
            if value is not None and session.scalar(
                select(Customer.id).where(Customer.external_id == value, Customer.id != customer.id)
            ):
                raise Conflict(
                    f"external id {value!r} belongs to another customer", code="customer-exists"
                )
            customer.external_id = value  # type: ignore[assignment]
        else:
            setattr(customer, key, value)
    customer.updated_at = now
    session.flush()
    return customer


def list_customers(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    status: CustomerStatus | None = None,
    tier: Tier | None = None,
    language: str | None = None,
    query: str | None = None,
) -> Page[Customer]:
    require(actor, Action.READ)
    stmt = select(Customer).options(selectinload(Customer.contacts)).order_by(Customer.id)
    if status is not None:
        stmt = stmt.where(Customer.status == status)
    if tier is not None:
        stmt = stmt.where(Customer.tier == tier)
    if language is not None:
        stmt = stmt.where(Customer.language == language)
    if query:
        found = search.matching(session, query)
        if found is not None:
            stmt = stmt.where(found)
    return paginate(session, stmt, limit=limit, offset=offset)


def customer_by_email(session: Session, email: str) -> Customer | None:
    """The customer a sender belongs to: by exact contact address, then by domain (not for
    shared mailbox providers such as gmail.com)."""
    email = email.strip().lower()
    found = session.scalar(
        select(Customer).join(Contact).where(Contact.email == email).order_by(Customer.id).limit(1)
    )
    domain = matches_by_domain(email)
    if found is not None or domain is None:
        return found
    return session.scalar(
        select(Customer)
        .join(Contact)
        .where(Contact.email.like("%" + domain.replace("%", "").replace("_", "\\_"), escape="\\"))
        .order_by(Customer.id)
        .limit(1)
    )


def customer_for_sender(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    address: str,
    name: str = "",
    language: str = "und",
) -> Customer:
    """The sender's customer by address, then by domain; else a new lead, never a drop."""
    found = customer_by_email(session, address)
    if found is not None:
        return found
    timezone, currency = lead_defaults(session)
    return new_lead(
        session,
        actor=actor,
        now=now,
        address=address,
        name=name,
        language=language,
        timezone=timezone,
        currency=currency,
    )


def lead_defaults(session: Session) -> tuple[str, str]:
    """(timezone, currency) of a new lead: the workspace's, UTC and EUR before it has any."""
    ws = workspace.current(session)
    return (ws.timezone, ws.currency) if ws else ("UTC", "EUR")


def new_lead(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    address: str,
    name: str,
    language: str,
    timezone: str,
    currency: str,
) -> Customer:
    """An unmatched sender kept as a lead, in the workspace's timezone and currency."""
    (lead,) = new_leads(
        session,
        actor=actor,
        now=now,
        senders=[(address, name, language)],
        timezone=timezone,
        currency=currency,
    )
    return lead


def new_leads(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    senders: list[tuple[str, str, str]],
    timezone: str,
    currency: str,
) -> list[Customer]:
    """Leads for many ``(address, name, language)`` senders, written with one flush (a bulk
    import meets hundreds of new senders): named after the sender, in their language
    (English when unknown), with the address as their primary contact."""
    require(actor, Action.WRITE)
    made = []
    for address, name, language in senders:
        label = name.strip() or address
        customer = Customer(
            external_id=None,
            name=label,
            language=language if language != "und" else "en",
            timezone=timezone,
            currency=currency,
            recurring_value=Decimal("0"),
            tier=Tier.STANDARD,
            status=CustomerStatus.ACTIVE,
            is_lead=True,
            notes="created from an unknown sender's message",
            created_at=now,
            updated_at=now,
        )
        customer.contacts = [Contact(name=label, email=address, phone=None, is_primary=True)]
        made.append(customer)
    session.add_all(made)
    session.flush()
    return made
