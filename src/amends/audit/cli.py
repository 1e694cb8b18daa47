from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from amends.audit import service
from amends.audit.schemas import AuditEventOut, VerdictOut
from amends.console import Json, emit_json, handle_errors, open_workspace, out

app = typer.Typer(help="The audit log of sign-ins, access changes and money decisions.")


@app.command("verify")
@handle_errors
def verify(json_: Json = False) -> None:
    """Check every link of the audit chain; exit 1 at the first broken row."""
    ws = open_workspace()
    with ws.transaction() as session:
        verdict = service.verify(session)
    if json_:
        emit_json(VerdictOut(**asdict(verdict)))
    elif verdict.ok:
        out.print(f"audit log OK: {verdict.rows} rows, every link intact")
    else:
        out.print(f"audit log BROKEN at row {verdict.broken_at}: {verdict.reason}")
    if not verdict.ok:
        raise typer.Exit(1)


@app.command("list")
@handle_errors
def list_events(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="how many, newest first")] = 50,
    action: Annotated[
        str | None, typer.Option(help="only this action, e.g. sign-in.failed")
    ] = None,
    json_: Json = False,
) -> None:
    """The newest audit rows first."""
    ws = open_workspace()
    with ws.transaction() as session:
        rows = [
            AuditEventOut.model_validate(e)
            for e in service.recent(session, limit=limit, action=action)
        ]
    for row in rows:
        if json_:
            emit_json(row)
        else:
            actor = "-" if row.actor_id is None else f"user:{row.actor_id}"
            when = f"{row.at:%Y-%m-%d %H:%M:%S}"
            line = f"{row.id:>6}  {when}  {row.action:<22} {actor:<9} {row.subject}"
            out.print(line, markup=False, soft_wrap=True)
