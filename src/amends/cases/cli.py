from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from amends.cases import service, statements, steps
from amends.cases.rules import CaseState
from amends.cases.schemas import CaseOut, StatementOut
from amends.console import emit_json, handle_errors, local_time, open_workspace, out
from amends.fields import MAX_DB_INT
from amends.paging import pages
from amends.people.rules import OPERATOR

ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]

app = typer.Typer(help="Recovery cases.")
people_app = typer.Typer(help="Employees named in complaints: the statements they still owe.")

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
        for items in pages(
            lambda offset, size: service.list_cases(
                session,
                actor=OPERATOR,
                state=state,
                is_open=True if open_only else None,
                owner_id=owner_id,
                offset=offset,
                limit=size,
            ),
            limit=limit,
        ):
            rows.extend(service.present(session, items))
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
            local_time(row.opened_at, ws.settings.timezone),
            row.title,
        )
    out.print(table)


@app.command("handoff")
@handle_errors
def handoff(
    case_id: ObjectId,
    to: Annotated[str, typer.Option("--to", help="new owner's email")],
    reason: Annotated[str, typer.Option(help="why the new owner is better placed")],
    as_user: Annotated[str | None, typer.Option("--as", help="act as this user (email)")] = None,
    json_: Json = False,
) -> None:
    """Give the case to a new owner; a reason is required and every hand-off is counted."""
    from amends.people import service as people

    ws = open_workspace()
    with ws.transaction() as session:
        target = people.user_by_email(session, to)
        case = steps.handoff(
            session,
            case_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            to_user_id=target.id,
            reason=reason,
        )
        shown = service.present(session, [case])[0]
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.ref} now belongs to {shown.owner.name} (hand-offs: {shown.handoffs})")


@app.command("statement")
@handle_errors
def record_statement(
    case_id: ObjectId,
    as_user: Annotated[str, typer.Option("--as", help="the named employee's email")],
    text: Annotated[str, typer.Option(help="the statement, in their own words")],
    json_: Json = False,
) -> None:
    """Record the statement of an employee the complaint names, as that employee."""
    from amends.people import service as people

    ws = open_workspace()
    with ws.transaction() as session:
        actor = people.acting_as(session, as_user)
        statements.record_statement(session, case_id, actor=actor, text=text, now=ws.clock.now())
        assert actor.user_id is not None
        shown = StatementOut.of(
            *statements.named(session, case_id, actor.user_id, actor=OPERATOR).parts
        )
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.ref}: statement of {shown.name} recorded", markup=False)


@app.command("waive-statement")
@handle_errors
def waive_statement(
    case_id: ObjectId,
    user: Annotated[str, typer.Option("--user", help="the named employee's email")],
    reason: Annotated[str, typer.Option(help="why the case may close without it")],
    as_user: Annotated[str | None, typer.Option("--as", help="act as this manager (email)")] = None,
    json_: Json = False,
) -> None:
    """Let a case close without a named employee's statement (managers), with the reason."""
    from amends.people import service as people

    ws = open_workspace()
    with ws.transaction() as session:
        employee = people.user_by_email(session, user)
        statements.waive_statement(
            session,
            case_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            user_id=employee.id,
            reason=reason,
            now=ws.clock.now(),
        )
        shown = StatementOut.of(
            *statements.named(session, case_id, employee.id, actor=OPERATOR).parts
        )
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.ref}: statement of {shown.name} waived", markup=False)


@people_app.command("statements")
@handle_errors
def pending_statements(
    user: Annotated[str | None, typer.Option("--user", help="only this employee's (email)")] = None,
    json_: Json = False,
) -> None:
    """Statements still owed by employees named in complaints, on open cases, oldest first."""
    from amends.people import service as people

    ws = open_workspace()
    with ws.transaction() as session:
        user_id = people.user_by_email(session, user).id if user else None
        rows = [
            StatementOut.of(*n.parts)
            for n in statements.pending_statements(session, actor=OPERATOR, user_id=user_id)
        ]
    for row in rows:
        if json_:
            emit_json(row)
        else:
            line = f"{row.ref:<8} {row.user:<32} {row.name}  ({row.title})"
            out.print(line, markup=False, soft_wrap=True)
    if not rows and not json_:
        out.print("no statements are pending")
