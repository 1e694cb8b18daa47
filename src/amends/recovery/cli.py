"""Commands that act across domains: a case shown with its verdict, compensation and
similar cases; playbook steps; the ledger sweep. The root command line mounts them
beside each domain's own commands."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from amends.cases import service
from amends.cases.rules import Outcome, Step
from amends.cases.schemas import TimelineEventOut
from amends.commitments import ledger
from amends.compensation import service as compensations
from amends.console import (
    Json,
    ObjectId,
    emit_json,
    handle_errors,
    local_time,
    open_workspace,
    out,
    parse_time,
)
from amends.fields import clean_currency
from amends.patterns import service as patterns
from amends.people import service as people
from amends.people.rules import OPERATOR
from amends.recovery import flows, verdict
from amends.recovery import sweep as sweeps
from amends.recovery.schemas import StepsOut

cases_app = typer.Typer(help="Recovery cases.")


@cases_app.command("show")
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
        validity = verdict.assess_case(session, case_id, actor=OPERATOR, now=ws.clock.now())
        compensation = compensations.summary(
            session,
            service.get_case(session, case_id, actor=OPERATOR),
            now=ws.clock.now(),
            policy=ws.playbook.compensation,
        )
        similar = patterns.similar_for(session, case_id, actor=OPERATOR, home=ws.settings.home)
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
        out.print(f"  {local_time(event.at, ws.settings.timezone)} {event.kind} {event.note}")


def _currency(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return clean_currency(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--currency") from None


@cases_app.command("judge")
@handle_errors
def judge(
    case_id: ObjectId,
    as_user: Annotated[str | None, typer.Option("--as", help="act as this user (email)")] = None,
    json_: Json = False,
) -> None:
    """Judge again whether the customer is right, as of now; the verdict is kept with the
    moment it was judged and goes on the timeline."""
    ws = open_workspace()
    with ws.transaction() as session:
        found = verdict.judge_again(
            session,
            case_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
        )
    if json_:
        emit_json(found)
        return
    out.print(f"is the customer right? {found['verdict']}: {'; '.join(found['reasons'])}")
    for claim in found["claims"]:
        out.print(f"  {claim['commitment']}: {claim['status']}")


@cases_app.command("act")
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
    currency: Annotated[
        str | None,
        typer.Option(help="with compensate: ISO 4217 code; default the customer's currency"),
    ] = None,
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
        result = flows.perform_steps(
            session,
            case_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
            steps=[step],
            note=note,
            outcome=outcome,
            compensation=(
                flows.CompensationInput(kind, value, _currency(currency), rationale)
                if kind
                else None
            ),
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


@handle_errors
def sweep(
    now: Annotated[str | None, typer.Option(help="evaluate as of this time (ISO 8601)")] = None,
    json_: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    due_window_hours: Annotated[int, typer.Option(min=1, max=24 * 90)] = 72,
) -> None:
    """Judge every promise past its deadline; each miss opens (or joins) a proactive case."""
    ws = open_workspace()
    when = parse_time(now, "--now") or ws.clock.now()
    with ws.transaction() as session:
        result = sweeps.sweep(session, now=when, playbook=ws.playbook).as_dict()
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
        out.print(
            f"  due soon: {local_time(item['due_at'], ws.settings.timezone)}  "
            f"{item['title']} (customer {item['customer_id']})"
        )
