from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from amends.console import AsUser, emit_json, handle_errors, open_workspace, out, validated
from amends.customers import advocates, service
from amends.customers.rules import CustomerStatus, Tier
from amends.customers.schemas import (
    ContactIn,
    ContactOut,
    CustomerCreate,
    CustomerOut,
    CustomerUpdate,
)
from amends.fields import MAX_DB_INT
from amends.paging import pages
from amends.people import service as people
from amends.people.rules import OPERATOR
from amends.text import address

ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]

app = typer.Typer(help="Customers: who they are, what they are worth, how they are doing.")

Json = Annotated[bool, typer.Option("--json", help="JSON Lines / one JSON object")]


@app.command("list")
@handle_errors
def list_customers(
    json_: Json = False,
    status: Annotated[CustomerStatus | None, typer.Option(help="only this status")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="name or email")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """List customers (JSON Lines with --json)."""
    ws = open_workspace()
    with ws.transaction() as session:
        rows: list[CustomerOut] = []
        for items in pages(
            lambda offset, size: service.list_customers(
                session, actor=OPERATOR, status=status, query=query, offset=offset, limit=size
            ),
            limit=limit,
        ):
            marked = advocates.among(session, [c.id for c in items])
            for c in items:
                row = CustomerOut.model_validate(c)
                row.advocate = row.id in marked
                rows.append(row)
    if json_:
        for row in rows:
            emit_json(row)
        return
    table = Table("id", "name", "status", "tier", "language", "recurring")
    for row in rows:
        table.add_row(
            str(row.id),
            row.name,
            row.status,
            row.tier,
            row.language,
            f"{row.recurring_value} {row.currency}",
        )
    out.print(table)


@app.command("add")
@handle_errors
def add_customer(
    name: Annotated[str, typer.Argument(help="the customer's name")],
    email: Annotated[str | None, typer.Option(help="primary contact's email")] = None,
    contact: Annotated[str | None, typer.Option(help="primary contact's name")] = None,
    language: Annotated[str, typer.Option(help="BCP 47, e.g. th, sk, el, en")] = "en",
    timezone: Annotated[str, typer.Option(help="IANA name, e.g. Asia/Bangkok")] = "UTC",
    currency: Annotated[str, typer.Option(help="ISO 4217, e.g. THB")] = "EUR",
    recurring_value: Annotated[str, typer.Option(help="monthly value")] = "0",
    tier: Annotated[Tier, typer.Option(help="service tier")] = Tier.STANDARD,
    external_id: Annotated[str | None, typer.Option(help="id in your other systems")] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Add a customer, with a primary contact when an email is given."""
    contacts = [{"name": contact or name, "email": email, "is_primary": True}] if email else []
    body = validated(
        CustomerCreate,
        {
            "name": name,
            "language": language,
            "timezone": timezone,
            "currency": currency,
            "recurring_value": recurring_value,
            "tier": tier,
            "external_id": external_id,
            "contacts": contacts,
        },
    )
    ws = open_workspace()
    with ws.transaction() as session:
        created = service.create_customer(
            session,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            contacts=[service.ContactInput(**c.model_dump()) for c in body.contacts],
            **body.model_dump(exclude={"contacts"}),
        )
        shown = CustomerOut.model_validate(created)
    if json_:
        emit_json(shown)
    else:
        out.print(f"customer #{shown.id} added: {shown.name}", markup=False)


@app.command("edit")
@handle_errors
def edit_customer(
    customer_id: ObjectId,
    name: Annotated[str | None, typer.Option(help="new name")] = None,
    language: Annotated[str | None, typer.Option(help="BCP 47")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA name")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO 4217")] = None,
    recurring_value: Annotated[str | None, typer.Option(help="monthly value")] = None,
    tier: Annotated[Tier | None, typer.Option(help="service tier")] = None,
    status: Annotated[CustomerStatus | None, typer.Option(help="status")] = None,
    notes: Annotated[str | None, typer.Option(help="notes")] = None,
    late_payments: Annotated[
        int | None, typer.Option(min=0, help="invoices paid late, when known")
    ] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Change a customer's details; only the options given change."""
    body = validated(
        CustomerUpdate,
        {
            "name": name,
            "language": language,
            "timezone": timezone,
            "currency": currency,
            "recurring_value": recurring_value,
            "tier": tier,
            "status": status,
            "notes": notes,
            "late_payments": late_payments,
        },
    )
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise typer.BadParameter("give at least one option to change")
    ws = open_workspace()
    with ws.transaction() as session:
        customer = service.update_customer(
            session,
            customer_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            changes=changes,
        )
        shown = CustomerOut.model_validate(customer)
    if json_:
        emit_json(shown)
    else:
        out.print(f"customer #{shown.id} changed: {', '.join(sorted(changes))}", markup=False)


@app.command("add-contact")
@handle_errors
def add_contact(
    customer_id: ObjectId,
    name: Annotated[str, typer.Argument(help="the contact's name")],
    email: Annotated[str | None, typer.Option(help="their email address")] = None,
    phone: Annotated[str | None, typer.Option(help="their phone number")] = None,
    primary: Annotated[bool, typer.Option("--primary", help="drafts greet them")] = False,
    gender_form: Annotated[
        str, typer.Option("--gender-form", help="feminine, masculine or none")
    ] = "",
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Add a person to write to at a customer (the first one is the primary contact)."""
    body = validated(
        ContactIn,
        {
            "name": name,
            "email": email,
            "phone": phone,
            "is_primary": primary,
            "gender_form": address.gender_form(gender_form),
        },
    )
    ws = open_workspace()
    with ws.transaction() as session:
        added = service.add_contact(
            session,
            customer_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            contact=service.ContactInput(**body.model_dump()),
        )
        shown = ContactOut.model_validate(added)
    if json_:
        emit_json(shown)
    else:
        out.print(f"contact #{shown.id} added: {shown.name}", markup=False)


@app.command("contact-form")
@handle_errors
def set_contact_form(
    customer_id: ObjectId,
    contact: Annotated[str, typer.Argument(help="the contact's email address or name")],
    form: Annotated[str, typer.Argument(help="feminine, masculine, or none")],
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Set how drafts greet a contact where the language needs it (Greek "Αγαπητή Μαρία",
    "Αγαπητέ Γιώργο"); none lets a Greek name's ending decide, or uses a greeting
    without gender."""
    chosen = address.gender_form(form)
    ws = open_workspace()
    with ws.transaction() as session:
        actor = people.acting_as(session, as_user, operator=ws.settings.operator)
        customer = service.get_customer(session, customer_id, actor=actor)
        wanted = contact.strip().casefold()
        found = [
            c
            for c in customer.contacts
            if wanted in ((c.email or "").casefold(), c.name.casefold())
        ]
        if len(found) != 1:
            raise typer.BadParameter(
                f"customer #{customer_id} has no single contact {contact!r}", param_hint="CONTACT"
            )
        changed = service.set_contact_form(
            session, customer_id, found[0].id, actor=actor, now=ws.clock.now(), form=chosen
        )
        shown = ContactOut.model_validate(changed)
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.name}: greeted {shown.gender_form or 'without gender'}", markup=False)
