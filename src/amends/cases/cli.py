from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from amends.cases import service
from amends.cases.rules import CaseState
from amends.cases.schemas import CaseOut, TimelineEventOut
from amends.console import emit_json, handle_errors, open_workspace, out
from amends.people.rules import OPERATOR

app = typer.Typer(help="Recovery cases.")

Json = Annotated[bool, typer.Option("--json", help="JSON Lines / one JSON object")]


@app.command("list")
@handle_errors
def list_cases(
    json_: Json = False,
    state: Annotated[CaseState | None, typer.Option(help="only this state")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="only open cases")] = False,
    owner: Annotated[str | None, typer.Option(help="owner's email")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000)] = 1000,
) -> None:
    """List cases, newest first (JSON Lines with --json)."""
    from amends.people import service as people

    ws = open_workspace()
    with ws.transaction() as session:
        owner_id = people.user_by_email(session, owner).id if owner else None
        rows: list[CaseOut] = []
        offset = 0
        while len(rows) < limit:
            page = service.list_cases(
                session,
                actor=OPERATOR,
                state=state,
                is_open=True if open_only else None,
                owner_id=owner_id,
                offset=offset,
                limit=min(500, limit - len(rows)),
            )
            rows.extend(service.present(session, page.items))
            if page.next_offset is None:
                break
            offset = page.next_offset
    if json_:
        for row in rows:
            emit_json(row)
        return
    table = Table("ref", "customer", "state", "severity", "owner", "opened", "title")
    for row in rows:
        table.add_row(
            row.ref,
            str(row.customer_id),
            row.state,
            row.severity,
            row.owner.name,
            row.opened_at.strftime("%Y-%m-%d %H:%M"),
            row.title,
        )
    out.print(table)


@app.command("show")
@handle_errors
def show_case(case_id: int, json_: Json = False) -> None:
    """Show one case with its timeline."""
    ws = open_workspace()
    with ws.transaction() as session:
        case = service.present(session, [service.get_case(session, case_id, actor=OPERATOR)])[0]
        events = [
            TimelineEventOut.model_validate(e)
            for e in service.timeline(session, case_id, actor=OPERATOR)
        ]
    if json_:
        payload = case.model_dump(mode="json")
        payload["timeline"] = [e.model_dump(mode="json") for e in events]
        emit_json(payload)
        return
    out.print(f"[bold]{case.ref}[/bold] {case.title}")
    out.print(f"state {case.state} · severity {case.severity} · owner {case.owner.name}")
    for event in events:
        out.print(f"  {event.at:%Y-%m-%d %H:%M} {event.kind} {event.note}")
