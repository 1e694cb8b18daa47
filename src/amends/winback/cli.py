from __future__ import annotations

from typing import Annotated

import typer

from amends.console import AsUser, emit_json, handle_errors, open_workspace, out
from amends.fields import MAX_DB_INT
from amends.people import service as people
from amends.people.rules import OPERATOR
from amends.winback import reading, service, watch
from amends.winback.rules import WinbackOutcome, WinbackStatus

ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]
Json = Annotated[bool, typer.Option("--json", help="JSON Lines / one JSON object")]

app = typer.Typer(
    help="Win-back follow-ups to lost customers, and the watch list after a recovery."
)


def _line(row: dict[str, object]) -> str:
    steps = row["steps"]
    assert isinstance(steps, list)
    sent = sum(1 for s in steps if s["status"] == "sent")
    reason = f" ({row['stop_reason']})" if row["stop_reason"] else ""
    due = f" · next {row['next_due_at']}" if row["next_due_at"] else ""
    return (
        f"#{row['id']}  {row['customer']}  C-{row['case_id']}  {row['status']}{reason}"
        f"  sent {sent}/{len(steps)}{due}  · {row['owner']}"
    )


@app.command("list")
@handle_errors
def list_winbacks(
    json_: Json = False,
    status: Annotated[WinbackStatus | None, typer.Option(help="only this status")] = None,
    customer: Annotated[int | None, typer.Option(min=1, max=MAX_DB_INT, help="customer id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 200,
) -> None:
    """Win-back sequences, newest first (JSON Lines with --json)."""
    ws = open_workspace()
    with ws.transaction() as session:
        page = reading.list_winbacks(
            session, actor=OPERATOR, status=status, customer_id=customer, limit=limit
        )
        rows = reading.describe(session, page.items)
    for row in rows:
        if json_:
            emit_json(row)
        else:
            out.print(_line(row), markup=False)
    if not rows and not json_:
        out.print("no win-back sequences")


@app.command("show")
@handle_errors
def show_winback(winback_id: ObjectId, json_: Json = False) -> None:
    """One sequence with its follow-ups."""
    ws = open_workspace()
    with ws.transaction() as session:
        item = reading.get_winback(session, winback_id, actor=OPERATOR)
        (row,) = reading.describe(session, [item])
    if json_:
        emit_json(row)
        return
    out.print(_line(row), markup=False)
    for step in row["steps"]:
        out.print(
            f"  {step['number']}. day {step['day']}  {step['status']}  due {step['due_at']}",
            markup=False,
        )


@app.command("stop")
@handle_errors
def stop_winback(
    winback_id: ObjectId,
    no_contact: Annotated[
        bool, typer.Option("--no-contact", help="the customer asked for no more contact")
    ] = False,
    outcome: Annotated[
        WinbackOutcome | None, typer.Option(help="record the outcome: won_back or not_won_back")
    ] = None,
    note: Annotated[str, typer.Option(help="why, for the record")] = "",
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Stop the follow-ups and/or record the outcome; won back sets the customer's status."""
    ws = open_workspace()
    with ws.transaction() as session:
        item = service.stop(
            session,
            winback_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
            no_contact=no_contact,
            outcome=outcome,
            note=note,
        )
        (row,) = reading.describe(session, [item])
    if json_:
        emit_json(row)
    else:
        out.print(_line(row), markup=False)


@app.command("watch")
@handle_errors
def watch_command(
    as_user: AsUser = None,
    everyone: Annotated[bool, typer.Option(help="every owner's watched deliveries")] = False,
    json_: Json = False,
) -> None:
    """Deliveries watched after a recovery, soonest first (JSON Lines with --json)."""
    ws = open_workspace()
    with ws.transaction() as session:
        actor = (
            people.acting_as(session, as_user, operator=ws.settings.operator)
            if as_user
            else OPERATOR
        )
        rows = watch.watch_list(session, actor=actor, everyone=everyone or as_user is None)
    for row in rows:
        if json_:
            emit_json(row)
        else:
            out.print(
                f"C-{row['case_id']}  {row['customer']}  {row['title']}  due {row['due_at']}"
                f"  {row['status']}",
                markup=False,
            )
    if not rows and not json_:
        out.print("nothing on the watch list")
