"""Commands that act across domains: a case shown with its verdict, compensation and
similar cases; playbook steps; the ledger sweep. The root command line mounts them
beside each domain's own commands."""

from __future__ import annotations

import functools
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from amends.cases import service
from amends.cases.rules import Category, Outcome, Severity, Step
from amends.cases.schemas import CaseOut, CaseUpdate, TimelineEventOut
from amends.commitments import ledger
from amends.commitments.schemas import ValidityOut
from amends.compensation.schemas import CompensationOut
from amends.console import (
    AsUser,
    Json,
    ObjectId,
    emit_json,
    handle_errors,
    local_time,
    open_workspace,
    out,
    parse_time,
    validated,
)
from amends.customers import advocates
from amends.customers import service as customers
from amends.fields import clean_currency
from amends.people import service as people
from amends.people.rules import OPERATOR
from amends.recovery import conversation, fit, flows, parting, verdict, view
from amends.recovery import sweep as sweeps
from amends.recovery.schemas import (
    CustomerFitOut,
    PartingOut,
    PartWaysIn,
    ReplyOut,
    StepsOut,
)

cases_app = typer.Typer(help="Recovery cases.")


@cases_app.command("show")
@handle_errors
def show_case(case_id: ObjectId, json_: Json = False) -> None:
    """Show one case as its page does: clocks, verdict, compensation, repeats, similar
    cases, participants, attachments and the timeline."""
    ws = open_workspace()
    now = ws.clock.now()
    with ws.transaction() as session:
        case = view.case_view(session, case_id, actor=OPERATOR, playbook=ws.playbook, now=now)
        events = [
            TimelineEventOut.model_validate(e)
            for e in service.timeline(session, case_id, actor=OPERATOR)
        ]
    if json_:
        payload = case.model_dump(mode="json")
        payload["timeline"] = [e.model_dump(mode="json") for e in events]
        emit_json(payload)
        return
    tz = ws.settings.timezone
    print_ = functools.partial(out.print, markup=False, highlight=False)
    out.print(f"[bold]{case.ref}[/bold] ", end="")
    print_(case.title)
    print_(f"state {case.state} · severity {case.severity} · owner {case.owner.name}")
    if case.merged_into is not None:
        print_(f"merged into {case.merged_into.ref} {case.merged_into.title}")
    for clock in case.clocks:
        if clock.due_at is not None:
            print_(f"  {clock.name} by {local_time(clock.due_at, tz)}: {clock.status}")
    validity = case.validity
    print_(f"is the customer right? {validity.verdict}: {'; '.join(validity.reasons)}")
    rec = case.compensation.recommended
    print_(f"recommended: {rec.kind} {rec.amount} {rec.currency} ({rec.explanation})")
    for given in case.compensation.granted:
        print_(
            f"  compensation #{given.id}: {given.kind} {given.amount} {given.currency} "
            f"{given.status}"
        )
    for earlier in case.repeat_of:
        print_(f"repeats {earlier.ref} {earlier.title}")
    for other in case.similar:
        print_(f"similar {other.ref} ({other.score:.2f}) {other.title}")
    for person in case.participants:
        print_(f"participant {person.name} ({person.role}, {person.reason})")
    for f in case.attachments:
        print_(f"attachment #{f.id} {f.name} · {f.content_type} · {f.size} bytes")
    for event in events:
        print_(f"  {local_time(event.at, tz)} {event.kind} {event.note}")


def _compensation(
    kind: str | None, amount: str, currency: str | None, rationale: str
) -> flows.CompensationInput | None:
    """The --kind, --amount, --currency and --rationale options, checked."""
    if kind is None:
        return None
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise typer.BadParameter("not a number", param_hint="--amount") from None
    try:
        code = clean_currency(currency) if currency is not None else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--currency") from None
    return flows.CompensationInput(kind, value, code, rationale)


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
        emit_json(ValidityOut.model_validate(found))  # the API's shape, as `cases show` has it
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
    call: Annotated[
        str | None,
        typer.Option(help="acknowledged, explained or followed up by phone: what was said"),
    ] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="act as this user (email)")] = None,
    json_: Json = False,
) -> None:
    """Complete a playbook step (acknowledge, own, remedy, compensate, explain-change,
    follow-up, close --outcome X) under the same rules as the API."""
    given = _compensation(kind, amount, currency, rationale)
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
            compensation=given,
            call_note=call,
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
    result = sweeps.sweep_in_chunks(ws.transaction, now=when, playbook=ws.playbook).as_dict()
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
        out.print(
            f"  due soon: {local_time(item['due_at'], ws.settings.timezone)}  "
            f"{item['title']} (customer {item['customer_id']})"
        )


@cases_app.command("reply")
@handle_errors
def reply(
    case_id: ObjectId,
    text: Annotated[str | None, typer.Option(help="the message; or --file")] = None,
    file: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="read the message from")
    ] = None,
    subject: Annotated[str | None, typer.Option(help="default: the case's subject")] = None,
    language: Annotated[str | None, typer.Option(help="default: the customer's")] = None,
    step: Annotated[
        list[Step] | None, typer.Option(help="a step the message completes (repeatable)")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="with compensate: credit, refund, ...")] = None,
    amount: Annotated[str, typer.Option(help="with compensate: amount")] = "0",
    currency: Annotated[str | None, typer.Option(help="with compensate: ISO 4217")] = None,
    rationale: Annotated[str, typer.Option(help="with compensate: why this much")] = "",
    override_reason: Annotated[
        str | None, typer.Option(help="send despite the coach's findings, and why")
    ] = None,
    asks: Annotated[
        str | None, typer.Option(help="what you ask the customer for; the remedy clock waits")
    ] = None,
    seen: Annotated[
        int | None,
        typer.Option(help="the newest message you have read; refused if the case has a newer one"),
    ] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Write to the customer: the coach checks it, the outbox sends it, and it completes
    the steps it carries. A compensation above your limit holds it until approved."""
    if (text is None) == (file is None):
        raise typer.BadParameter("give the message as --text or --file, not both")
    body = text if text is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    given = _compensation(kind, amount, currency, rationale)
    ws = open_workspace()
    with ws.transaction() as session:
        sent = conversation.send_reply(
            session,
            case_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
            text=body,
            subject=subject,
            language=language,
            steps=list(step or []),
            compensation=given,
            override_reason=override_reason,
            asks=asks,
            seen_message_id=seen,
        )
        shown = ReplyOut.of(
            service.present(session, [sent.steps.case])[0],
            sent.steps,
            message_id=sent.message.id,
            outbox_status=sent.outbox.status,
        )
    if json_:
        emit_json(shown)
        return
    out.print(f"{shown.case.ref}: reply #{shown.message_id} {shown.outbox_status}", markup=False)
    if shown.held_for_approval:
        out.print("the compensation waits for a manager; so does the reply", markup=False)


@cases_app.command("update")
@handle_errors
def update(
    case_id: ObjectId,
    title: Annotated[str | None, typer.Option(help="new title")] = None,
    severity: Annotated[Severity | None, typer.Option(help="new severity")] = None,
    category: Annotated[Category | None, typer.Option(help="new category")] = None,
    reason: Annotated[str, typer.Option(help="why (needed to lower a repeat's severity)")] = "",
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Change a case's title, severity or category; a new category is judged again."""
    body = validated(CaseUpdate, {"title": title, "severity": severity, "category": category})
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    if not changes:
        raise typer.BadParameter("give --title, --severity or --category")
    shown = _updated(case_id, changes, reason, as_user)
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.ref}: {shown.severity} · {shown.category} · {shown.title}", markup=False)


def _updated(case_id: int, changes: dict[str, Any], reason: str, as_user: str | None) -> CaseOut:
    """The case after ``flows.update_case``, as the API shows it (update, set-category)."""
    ws = open_workspace()
    with ws.transaction() as session:
        case = flows.update_case(
            session,
            case_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
            changes=changes,
            reason=reason,
        )
        return service.present(session, [case])[0]


@cases_app.command("set-category")
@handle_errors
def set_category(
    case_id: ObjectId,
    category: Annotated[Category, typer.Argument(help="what the case is about")],
    note: Annotated[str, typer.Option(help="why, for the timeline")] = "",
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Set (or confirm) a case's category; the change goes on the timeline."""
    shown = _updated(case_id, {"category": category}, note, as_user)
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.ref}: {shown.category}", markup=False)


compensation_app = typer.Typer(
    help="Compensation: the ledger of what was given and the revenue it kept."
)


def _decide(
    compensation_id: int, *, approve: bool, note: str, as_user: str | None, json_: bool
) -> None:
    ws = open_workspace()
    with ws.transaction() as session:
        item = flows.decide_compensation(
            session,
            compensation_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
            approve=approve,
            note=note,
        )
        shown = CompensationOut.model_validate(item)
    if json_:
        emit_json(shown)
    else:
        out.print(
            f"compensation #{shown.id}: {shown.status} ({shown.amount} {shown.currency})",
            markup=False,
        )


@compensation_app.command("approve")
@handle_errors
def approve(
    compensation_id: ObjectId,
    note: Annotated[str, typer.Option(help="a word for the requester")] = "",
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Approve a compensation above the agent's limit; a reply waiting for it is sent."""
    _decide(compensation_id, approve=True, note=note, as_user=as_user, json_=json_)


@compensation_app.command("decline")
@handle_errors
def decline(
    compensation_id: ObjectId,
    note: Annotated[str, typer.Option(help="why, for the requester")] = "",
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Decline it; a reply that announced it goes back to its author as a draft."""
    _decide(compensation_id, approve=False, note=note, as_user=as_user, json_=json_)


customers_app = typer.Typer(help="Customers: their fit, and parting ways.")


@customers_app.command("show")
@handle_errors
def show_customer(customer_id: ObjectId, json_: Json = False) -> None:
    """Show one customer with contacts, and the fit their evidence recommends (keep,
    watch or part ways) with its reasons; a manager decides."""
    ws = open_workspace()
    with ws.transaction() as session:
        customer = customers.get_customer(session, customer_id, actor=OPERATOR)
        found = fit.customer_fit(
            session,
            customer_id,
            actor=OPERATOR,
            now=ws.clock.now(),
            hourly_cost=ws.settings.handling_cost_per_hour,
        )
        shown = CustomerFitOut.of(customer, found.as_dict())
        shown.advocate = advocates.is_advocate(session, customer_id)
    if json_:
        emit_json(shown)
        return
    print_ = functools.partial(out.print, markup=False, highlight=False)
    print_(f"{shown.name}  #{shown.id}  {shown.status} · {shown.tier}")
    print_(f"recurring value: {shown.recurring_value} {shown.currency} / month")
    for contact in shown.contacts:
        print_(f"  contact: {contact.name} <{contact.email or '-'}>")
    if shown.advocate:
        print_("advocate: proposed after a recovery (amends surveys advocates)")
    print_(f"fit: {shown.fit.recommendation}")
    for reason in shown.fit.reasons:
        print_(f"  {reason.text}")


def _refund(values: tuple[str, str] | None) -> parting.Refund | None:
    """--refund AMOUNT CURRENCY, checked."""
    if values is None:
        return None
    amount, currency = values
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise typer.BadParameter("not a number", param_hint="--refund") from None
    try:
        code = clean_currency(currency)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--refund") from None
    return parting.Refund(value, code)


@customers_app.command("part-ways")
@handle_errors
def part_ways(
    customer_id: ObjectId,
    reason: Annotated[str, typer.Option(help="why we part ways (kept on the record)")],
    refund: Annotated[
        tuple[str, str] | None,
        typer.Option(help="unused prepaid service refunded: AMOUNT CURRENCY"),
    ] = None,
    referral: Annotated[
        str | None, typer.Option(help="whom the customer may turn to instead")
    ] = None,
    text: Annotated[
        str | None, typer.Option(help="the final message; default: the coach's")
    ] = None,
    override_reason: Annotated[
        str | None, typer.Option(help="send despite the coach's findings, and why")
    ] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Part ways with a customer (managers and the owner): the coach's final message in
    their language goes through the outbox, the refund into the ledger, their promises
    end, and nothing automated is written to them again."""
    given = _refund(refund)
    body = validated(
        PartWaysIn,
        {
            "reason": reason,
            "refund": given.amount if given else None,
            "currency": given.currency if given else None,
            "referral": referral,
            "text": text,
            "override_reason": override_reason,
        },
    )
    ws = open_workspace()
    with ws.transaction() as session:
        done = parting.part_ways(
            session,
            customer_id,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
            business=ws.settings.workspace_name,
            reason=body.reason,
            refund=parting.Refund(body.refund, body.currency) if body.refund else None,
            referral=body.referral or "",
            text=body.text,
            override_reason=body.override_reason,
        )
        shown = PartingOut.model_validate(done.as_dict())
    if json_:
        emit_json(shown)
        return
    out.print(
        f"parted ways with customer #{shown.customer_id}: case #{shown.case_id}, "
        f"final message #{shown.message_id} queued",
        markup=False,
    )
