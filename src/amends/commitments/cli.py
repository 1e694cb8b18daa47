from __future__ import annotations

from typing import Annotated

import typer

from amends.console import emit_json, handle_errors, local_time, open_workspace, out, parse_time
from amends.fields import MAX_DB_INT

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
            out.print(f"  {local_time(occ['due_at'], ws.settings.timezone)}  {occ['status']}")
