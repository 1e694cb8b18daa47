from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from amends.commitments import board, service
from amends.commitments.rules import CommitmentKind, CommitmentStatus
from amends.commitments.schemas import CommitmentCreate, CommitmentOut, CommitmentUpdate
from amends.console import (
    AsUser,
    Json,
    emit_json,
    handle_errors,
    local_time,
    open_workspace,
    out,
    parse_time,
    validated,
)
from amends.fields import MAX_DB_INT
from amends.people import service as people

ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]

deliveries_app = typer.Typer(help="Deliveries: evidence that a promise was kept.")
commitments_app = typer.Typer(help="Commitments: what was promised to each customer.")


@deliveries_app.command("add")
@handle_errors
def add_delivery(
    commitment: Annotated[str, typer.Argument(help="commitment id or external id")],
    at: Annotated[str | None, typer.Option(help="when delivered (ISO 8601); default now")] = None,
    note: Annotated[str, typer.Option(help="what was delivered")] = "",
    link: Annotated[str | None, typer.Option(help="link to the evidence")] = None,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Record that (an occurrence of) a commitment was delivered."""
    from amends.commitments.schemas import DeliveryOut
    from amends.people.rules import OPERATOR

    ws = open_workspace()
    with ws.transaction() as session:
        target = service.find_commitment(session, commitment, actor=OPERATOR)
        delivery = service.add_delivery(
            session,
            actor=OPERATOR,
            now=ws.clock.now(),
            commitment_id=target.id,
            delivered_at=parse_time(at, "--at") or ws.clock.now(),
            note=note,
            link=link,
        )
        shown = DeliveryOut.model_validate(delivery)
    if json_:
        emit_json(shown)
    else:
        out.print(f"delivery {shown.id} recorded for commitment {target.id}")


@commitments_app.command("expectations")
@handle_errors
def expectations(
    customer_id: ObjectId,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every commitment of a customer with each occurrence: on time, late, missed, upcoming."""
    from amends.commitments import ledger
    from amends.people.rules import OPERATOR

    ws = open_workspace()
    with ws.transaction() as session:
        view = ledger.expectations(session, customer_id, actor=OPERATOR, now=ws.clock.now())
        rows = [ledger.expectation_dict(c, occs) for c, occs in view]
    if json_:
        for row in rows:
            emit_json(row)
        return
    for row in rows:
        out.print(f"[bold]{row['title']}[/bold] ({row['kind']})")
        for occ in row["occurrences"]:
            out.print(f"  {local_time(occ['due_at'], ws.settings.timezone)}  {occ['status']}")


@commitments_app.command("board")
@handle_errors
def show_board(json_: Json = False) -> None:
    """Due in the next seven days, and missed and not yet in a case, by owner."""
    from amends.people.rules import OPERATOR

    ws = open_workspace()
    with ws.transaction() as session:
        lanes = [
            lane.as_dict() for lane in board.board(session, actor=OPERATOR, now=ws.clock.now())
        ]
    if json_:
        for lane in lanes:
            emit_json(lane)
        return
    for lane in lanes:
        out.print(f"[bold]owner {lane['owner_id'] or '-'}[/bold]")
        for part in ("missed", "due"):
            for item in lane[part]:
                when = local_time(item["due_at"], ws.settings.timezone)
                out.print(f"  {part:6}  {when}  {item['title']}  (customer {item['customer_id']})")


def _owner_id(session: Session, email: str | None) -> int | None:
    return people.user_by_email(session, email).id if email else None


@commitments_app.command("add")
@handle_errors
def add_commitment(
    customer_id: Annotated[int, typer.Option("--customer", min=1, max=MAX_DB_INT)],
    title: Annotated[str, typer.Option(help="what was promised, in the customer's words")],
    kind: Annotated[CommitmentKind, typer.Option(help="kind of promise")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code of its value")],
    due: Annotated[str | None, typer.Option(help="first due time (ISO 8601)")] = None,
    rrule: Annotated[str | None, typer.Option(help="repeat rule, e.g. FREQ=MONTHLY")] = None,
    grace_hours: Annotated[int, typer.Option(min=0, max=24 * 365)] = 0,
    value: Annotated[str, typer.Option(help="what it is worth")] = "0",
    owner: Annotated[str | None, typer.Option(help="owner's email")] = None,
    manner: Annotated[str, typer.Option(help="how it was promised to be done")] = "",
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Record a promise made to a customer; the sweep judges it from its first due time."""
    ws = open_workspace()
    with ws.transaction() as session:
        body = validated(
            CommitmentCreate,
            {
                "customer_id": customer_id,
                "title": title,
                "kind": kind,
                "currency": currency,
                "due_at": parse_time(due, "--due"),
                "rrule": rrule,
                "grace_hours": grace_hours,
                "value": value,
                "owner_id": _owner_id(session, owner),
                "manner": manner,
            },
        )
        created = service.create_commitment(
            session,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            **body.model_dump(),
        )
        shown = CommitmentOut.model_validate(created)
    if json_:
        emit_json(shown)
    else:
        out.print(f"commitment #{shown.id} added: {shown.title}", markup=False)


@commitments_app.command("edit")
@handle_errors
def edit_commitment(
    commitment_id: ObjectId,
    title: Annotated[str | None, typer.Option(help="new title")] = None,
    due: Annotated[str | None, typer.Option(help="first due time (ISO 8601)")] = None,
    rrule: Annotated[str | None, typer.Option(help="repeat rule")] = None,
    grace_hours: Annotated[int | None, typer.Option(min=0, max=24 * 365)] = None,
    value: Annotated[str | None, typer.Option(help="what it is worth")] = None,
    owner: Annotated[str | None, typer.Option(help="owner's email")] = None,
    status: Annotated[CommitmentStatus | None, typer.Option(help="active, paused, ended")] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Change a promise; only the options given change. Pausing stops the sweep for it."""
    ws = open_workspace()
    with ws.transaction() as session:
        body = validated(
            CommitmentUpdate,
            {
                "title": title,
                "due_at": parse_time(due, "--due"),
                "rrule": rrule,
                "grace_hours": grace_hours,
                "value": value,
                "owner_id": _owner_id(session, owner),
                "status": status,
            },
        )
        changes = body.model_dump(exclude_unset=True)
        if not changes:
            raise typer.BadParameter("give at least one option to change")
        commitment = service.update_commitment(
            session,
            commitment_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            changes=changes,
        )
        shown = CommitmentOut.model_validate(commitment)
    if json_:
        emit_json(shown)
    else:
        out.print(f"commitment #{shown.id} changed: {', '.join(sorted(changes))}", markup=False)
