"""`amends outbox`: see where replies are on their way, and settle the uncertain ones."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from amends.cases.rules import case_ref
from amends.console import (
    AsUser,
    Json,
    ObjectId,
    emit_json,
    handle_errors,
    local_time,
    open_workspace,
    out,
)
from amends.messages import review
from amends.messages.rules import OutboxStatus, Resolution
from amends.messages.schemas import OutboxOut
from amends.people import service as people
from amends.people.rules import OPERATOR

outbox_app = typer.Typer(help="The outbox: replies on their way; settle the ones perhaps sent.")


@outbox_app.command("list")
@handle_errors
def list_outbox(
    status: Annotated[
        OutboxStatus | None, typer.Option(help="only this status, e.g. uncertain")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 200,
    json_: Json = False,
) -> None:
    """List outbox rows, oldest first (JSON Lines with --json)."""
    ws = open_workspace()
    with ws.transaction() as session:
        rows = [
            OutboxOut.of(row)
            for row in review.list_outbox(session, actor=OPERATOR, status=status, limit=limit)
        ]
    if json_:
        for row in rows:
            emit_json(row)
        return
    table = Table("id", "case", "to", "status", "attempts", "queued", "subject", "last error")
    for row in rows:
        table.add_row(
            str(row.id),
            case_ref(row.case_id) if row.case_id else "",
            row.to_address,
            str(row.status),
            str(row.attempts),
            local_time(row.created_at, ws.settings.timezone),
            row.subject,
            row.last_error,
        )
    out.print(table)


@outbox_app.command("resolve")
@handle_errors
def resolve(
    item_id: ObjectId,
    resend: Annotated[bool, typer.Option("--resend", help="it did not arrive: send again")] = False,
    mark_sent: Annotated[
        bool, typer.Option("--mark-sent", help="it arrived: record it as sent")
    ] = False,
    note: Annotated[str, typer.Option(help="how you checked, for the case's timeline")] = "",
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Settle a reply that was perhaps sent (status uncertain); the decision goes on the
    case's timeline."""
    if resend == mark_sent:
        raise typer.BadParameter("give exactly one of --resend or --mark-sent")
    decision = Resolution.RESEND if resend else Resolution.MARK_SENT
    ws = open_workspace()
    with ws.transaction() as session:
        row = OutboxOut.of(
            review.resolve(
                session,
                item_id,
                actor=people.acting_as(session, as_user, operator=ws.settings.operator),
                now=ws.clock.now(),
                resolution=decision,
                note=note,
            )
        )
    if json_:
        emit_json(row)
        return
    out.print(f"outbox #{row.id}: {row.status}", markup=False)
