from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import typer

from amends.console import emit_json, handle_errors, open_workspace, out
from amends.fields import MAX_DB_INT, utc_datetime

ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]

deliveries_app = typer.Typer(help="Deliveries: evidence that a promise was kept.")
commitments_app = typer.Typer(help="Commitments: what was promised to each customer.")


def parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return utc_datetime(datetime.fromisoformat(value))
    except ValueError as exc:
        raise typer.BadParameter(f"{exc} (ISO 8601 with an offset)", param_hint=name) from None


@handle_errors
def sweep(
    now: Annotated[str | None, typer.Option(help="evaluate as of this time (ISO 8601)")] = None,
    json_: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    due_window_hours: Annotated[int, typer.Option(min=1, max=24 * 90)] = 72,
) -> None:
    """Judge every promise past its deadline; each miss opens (or joins) a proactive case."""
    from amends.commitments import ledger

    ws = open_workspace()
    when = parse_time(now, "--now") or ws.clock.now()
    result = ledger.sweep_in_chunks(ws.transaction, now=when, playbook=ws.playbook).as_dict()
    with ws.transaction() as session:
        soon = ledger.due_soon(session, now=when, window=timedelta(hours=due_window_hours))
    result["due_soon"] = [d.as_dict() for d in soon]
    if json_:
        emit_json(result)
        return
    out.print(
        f"checked {result['commitments_checked']} commitments: "
        f"{result['breaches_opened']} new misses, cases opened {result['cases_opened']}, "
        f"joined {result['cases_joined']}"
    )
    for item in result["due_soon"]:
        out.print(f"  due soon: {item['due_at']}  {item['title']} (customer {item['customer_id']})")


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
    from amends.commitments import service
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
            out.print(f"  {occ['due_at'][:16]}  {occ['status']}")
