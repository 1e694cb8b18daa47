from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from amends.cases import service, steps
from amends.cases.rules import CaseState, Outcome, Step
from amends.cases.schemas import CaseOut, StepsOut, TimelineEventOut
from amends.console import emit_json, handle_errors, open_workspace, out
from amends.fields import MAX_DB_INT
from amends.paging import pages
from amends.people.rules import OPERATOR, Actor

ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]

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
            row.opened_at.strftime("%Y-%m-%d %H:%M"),
            row.title,
        )
    out.print(table)


@app.command("show")
@handle_errors
def show_case(case_id: ObjectId, json_: Json = False) -> None:
    """Show one case with its timeline."""
    ws = open_workspace()
    with ws.transaction() as session:
        case = service.present(session, [service.get_case(session, case_id, actor=OPERATOR)])[0]
        events = [
            TimelineEventOut.model_validate(e)
            for e in service.timeline(session, case_id, actor=OPERATOR)
        ]
        from amends.commitments import ledger

        validity = ledger.assess_case(session, case_id, actor=OPERATOR, now=ws.clock.now())
        from amends.compensation import service as compensations

        compensation = compensations.summary(
            session, service.get_case(session, case_id, actor=OPERATOR), now=ws.clock.now()
        )
        similar = service.similar_cases(session, case_id, actor=OPERATOR)
    if json_:
        payload = case.model_dump(mode="json")
        payload["validity"] = validity
        payload["compensation"] = compensation
        payload["similar"] = similar
        payload["timeline"] = [e.model_dump(mode="json") for e in events]
        emit_json(payload)
        return
    out.print(f"[bold]{case.ref}[/bold] {case.title}")
    out.print(f"state {case.state} · severity {case.severity} · owner {case.owner.name}")
    out.print(f"is the customer right? {validity['verdict']}: {'; '.join(validity['reasons'])}")
    for event in events:
        out.print(f"  {event.at:%Y-%m-%d %H:%M} {event.kind} {event.note}")


def _actor(session: Session, email: str | None) -> Actor:
    if email is None:
        return OPERATOR
    from amends.people import service as people

    return people.actor_for(people.user_by_email(session, email))


@app.command("act")
@handle_errors
def act(
    case_id: ObjectId,
    step: Annotated[Step, typer.Argument(help="playbook step to complete")],
    note: Annotated[str, typer.Option(help="what was done")] = "",
    outcome: Annotated[Outcome | None, typer.Option(help="with close: how it ended")] = None,
    kind: Annotated[
        str | None, typer.Option(help="with compensate: refund, credit, gift, ... or none")
    ] = None,
    amount: Annotated[str, typer.Option(help="with compensate: amount")] = "0",
    rationale: Annotated[str, typer.Option(help="with compensate: why this much")] = "",
    as_user: Annotated[str | None, typer.Option("--as", help="act as this user (email)")] = None,
    json_: Json = False,
) -> None:
    """Complete a playbook step (acknowledge, own, remedy, compensate, explain-change,
    follow-up, close --outcome X) under the same rules as the API."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise typer.BadParameter("not a number", param_hint="--amount") from None
    ws = open_workspace()
    with ws.transaction() as session:
        result = steps.perform(
            session,
            case_id,
            actor=_actor(session, as_user),
            now=ws.clock.now(),
            playbook=ws.playbook,
            steps=[step],
            note=note,
            outcome=outcome,
            compensation=steps.CompensationInput(kind, value, None, rationale) if kind else None,
        )
        case = service.present(session, [result.case])[0]
    payload = StepsOut.of(case, result).model_dump(mode="json")
    if json_:
        emit_json(payload)
    else:
        done = ", ".join(s.value for s in result.done) or "-"
        out.print(f"{case.ref}: done {done}; now {case.state}")
        if result.held:
            out.print("compensation above the agent's limit: waiting for a manager's approval")


@app.command("handoff")
@handle_errors
def handoff(
    case_id: ObjectId,
    to: Annotated[str, typer.Option("--to", help="new owner's email")],
    reason: Annotated[str, typer.Option(help="why the new owner is better placed")] = "",
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
            actor=_actor(session, as_user),
            now=ws.clock.now(),
            to_user_id=target.id,
            reason=reason,
        )
        shown = service.present(session, [case])[0]
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.ref} now belongs to {shown.owner.name} (hand-offs: {shown.handoffs})")
