from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from amends.console import AsUser, emit_json, handle_errors, open_workspace, out, validated
from amends.fields import MAX_DB_INT
from amends.paging import pages
from amends.people import service as people
from amends.people.rules import OPERATOR
from amends.surveys import service
from amends.surveys.schemas import AdvocateOut, RewardIn, SurveyOut, SurveySend

app = typer.Typer(help="Satisfaction surveys after a recovery, and the advocates they find.")

Json = Annotated[bool, typer.Option("--json", help="JSON Lines / one JSON object")]
ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]
OptionalId = Annotated[int | None, typer.Option(min=1, max=MAX_DB_INT)]


@app.command("send")
@handle_errors
def send(
    case: Annotated[int | None, typer.Option("--case", min=1, max=MAX_DB_INT)] = None,
    customer: Annotated[int | None, typer.Option("--customer", min=1, max=MAX_DB_INT)] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Send a survey through the outbox: about a closed case (--case), or about the
    relationship (--customer alone)."""
    if case is None and customer is None:
        raise typer.BadParameter("give --case or --customer")
    body = validated(SurveySend, {"case_id": case, "customer_id": customer})
    ws = open_workspace()
    with ws.transaction() as session:
        survey = service.send_survey(
            session,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator)
            if as_user or ws.settings.operator
            else OPERATOR,
            now=ws.clock.now(),
            playbook=ws.playbook,
            mailing=service.mailing_for(ws.settings),
            case_id=body.case_id,
            customer_id=body.customer_id,
        )
        shown = SurveyOut.of(survey, ws.clock.now())
    if json_:
        emit_json(shown)
    else:
        out.print(
            f"survey #{shown.id} queued to {shown.to_address} ({shown.language}), "
            f"open until {shown.expires_at.isoformat()}",
            markup=False,
        )


@app.command("list")
@handle_errors
def list_surveys(
    case: OptionalId = None,
    customer: OptionalId = None,
    answered: Annotated[
        bool | None, typer.Option("--answered/--unanswered", help="only (un)answered ones")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    json_: Json = False,
) -> None:
    """Surveys, newest first (JSON Lines with --json)."""
    ws = open_workspace()
    now = ws.clock.now()
    with ws.transaction() as session:
        rows: list[SurveyOut] = []
        for items in pages(
            lambda offset, size: service.list_surveys(
                session,
                actor=OPERATOR,
                case_id=case,
                customer_id=customer,
                answered=answered,
                offset=offset,
                limit=size,
            ),
            limit=limit,
        ):
            rows.extend(SurveyOut.of(s, now) for s in items)
    if json_:
        for row in rows:
            emit_json(row)
        return
    table = Table("id", "customer", "case", "state", "csat", "nps", "sent")
    for row in rows:
        table.add_row(
            str(row.id),
            str(row.customer_id),
            str(row.case_id or "-"),
            row.state,
            "-" if row.csat is None else str(row.csat),
            "-" if row.nps is None else str(row.nps),
            row.sent_at.isoformat(timespec="minutes"),
        )
    out.print(table)


@app.command("show")
@handle_errors
def show(survey_id: ObjectId, json_: Json = False) -> None:
    """One survey with its answer."""
    ws = open_workspace()
    with ws.transaction() as session:
        shown = SurveyOut.of(service.get_survey(session, survey_id, actor=OPERATOR), ws.clock.now())
    if json_:
        emit_json(shown)
        return
    out.print(
        f"survey #{shown.id}  customer {shown.customer_id}  case {shown.case_id or '-'}  "
        f"{shown.state}",
        markup=False,
    )
    out.print(f"sent {shown.sent_at.isoformat()} to {shown.to_address}", markup=False)
    if shown.answered_at is not None:
        out.print(f"CSAT {shown.csat}  NPS {'-' if shown.nps is None else shown.nps}", markup=False)
        if shown.comment:
            out.print(f"comment: {shown.comment}", markup=False)


@app.command("advocates")
@handle_errors
def advocates(json_: Json = False) -> None:
    """Customers proposed as advocates after a recovery, with any reward given."""
    ws = open_workspace()
    with ws.transaction() as session:
        rows = [
            AdvocateOut.model_validate(r.as_dict())
            for r in service.list_advocates(session, actor=OPERATOR)
        ]
    if json_:
        for row in rows:
            emit_json(row)
        return
    table = Table("customer", "case", "csat", "nps", "proposed", "reward")
    for row in rows:
        reward = row.reward
        table.add_row(
            f"{row.customer} (#{row.customer_id})",
            str(row.case_id or "-"),
            "-" if row.csat is None else str(row.csat),
            "-" if row.nps is None else str(row.nps),
            row.proposed_at.isoformat(timespec="minutes"),
            "-"
            if reward is None
            else f"{reward.kind} {reward.amount} {reward.currency} ({reward.status})",
        )
    out.print(table)


@app.command("reward")
@handle_errors
def reward(
    customer_id: ObjectId,
    rationale: Annotated[str, typer.Option("--rationale", help="why it is given")],
    kind: Annotated[str, typer.Option(help="gift, credit, upgrade, free_period ...")] = "gift",
    amount: Annotated[str, typer.Option(help="value in the currency")] = "0",
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217; the customer's by default")
    ] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Reward an advocate; recorded in the compensation ledger under the usual limits."""
    body = validated(
        RewardIn, {"kind": kind, "amount": amount, "currency": currency, "rationale": rationale}
    )
    ws = open_workspace()
    with ws.transaction() as session:
        given = service.reward_advocate(
            session,
            customer_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
            kind=body.kind.value,
            amount=body.amount,
            currency=body.currency,
            rationale=body.rationale,
        )
        shown = {
            "compensation_id": given.id,
            "case_id": given.case_id,
            "kind": given.kind.value,
            "amount": given.amount,
            "currency": given.currency,
            "status": given.status.value,
        }
    if json_:
        emit_json(shown)
    else:
        out.print(
            f"reward {shown['kind']} {shown['amount']} {shown['currency']} "
            f"({shown['status']}) on case {shown['case_id']}",
            markup=False,
        )
