from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from amends.console import emit_json, handle_errors, open_workspace, out
from amends.customers import service
from amends.customers.rules import CustomerStatus
from amends.customers.schemas import CustomerOut
from amends.fields import MAX_DB_INT
from amends.paging import pages
from amends.people.rules import OPERATOR

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
            rows.extend(CustomerOut.model_validate(c) for c in items)
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


@app.command("show")
@handle_errors
def show_customer(customer_id: ObjectId, json_: Json = False) -> None:
    """Show one customer with contacts."""
    ws = open_workspace()
    with ws.transaction() as session:
        customer = CustomerOut.model_validate(
            service.get_customer(session, customer_id, actor=OPERATOR)
        )
    if json_:
        emit_json(customer)
        return
    out.print(f"[bold]{customer.name}[/bold]  #{customer.id}  {customer.status} · {customer.tier}")
    out.print(f"recurring value: {customer.recurring_value} {customer.currency} / month")
    for contact in customer.contacts:
        out.print(f"  contact: {contact.name} <{contact.email or '-'}>")
