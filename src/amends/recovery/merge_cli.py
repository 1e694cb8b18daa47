"""Commands to merge cases (and undo it), split one, and change many at once; mounted
beside the other ``amends cases`` commands."""

from __future__ import annotations

from typing import Annotated

import typer

from amends.cases import service
from amends.cases.rules import Category, Severity, case_id_of
from amends.console import (
    AsUser,
    Json,
    emit_json,
    handle_errors,
    local_time,
    open_workspace,
    out,
)
from amends.errors import AmendsError
from amends.people import service as people
from amends.recovery import bulk, merging, splitting
from amends.recovery.schemas import BulkOut, MergeOut

app = typer.Typer(help="Recovery cases.")

Ref = Annotated[str, typer.Argument(help="case ref (C-12) or id")]


def _ref(value: str, hint: str) -> int:
    try:
        return case_id_of(value)
    except AmendsError as exc:
        raise typer.BadParameter(exc.message, param_hint=hint) from None


@app.command("merge")
@handle_errors
def merge(
    case: Ref,
    into: Annotated[str, typer.Option("--into", help="the case to merge into (ref or id)")],
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Merge a case into another of the same customer: messages, attachments,
    compensation, steps and timeline move there; the case stays as a closed stub that
    points to it. Undo within 24 hours with `amends cases unmerge`."""
    source, target = _ref(case, "CASE"), _ref(into, "--into")
    ws = open_workspace()
    with ws.transaction() as session:
        done = merging.merge_cases(
            session,
            source,
            into=target,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
        )
        shown = MergeOut.of(done, undo_until=merging.undo_until(done))
    if json_:
        emit_json(shown)
    else:
        until = local_time(shown.undo_until, ws.settings.timezone)
        out.print(
            f"{shown.source_ref} merged into {shown.target_ref}: {shown.messages} messages, "
            f"{shown.compensations} compensations; undo until {until}",
            markup=False,
        )


@app.command("unmerge")
@handle_errors
def unmerge(case: Ref, as_user: AsUser = None, json_: Json = False) -> None:
    """Undo the merge of a case (within 24 hours of it): what moved goes back."""
    source = _ref(case, "CASE")
    ws = open_workspace()
    with ws.transaction() as session:
        done = merging.undo_merge(
            session,
            source,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
        )
        shown = MergeOut.of(done, undo_until=merging.undo_until(done))
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.source_ref} is its own case again", markup=False)


def _ids(value: str) -> list[int]:
    try:
        return [int(p) for p in value.replace(" ", "").split(",") if p]
    except ValueError:
        raise typer.BadParameter(
            "message ids separated by commas", param_hint="--messages"
        ) from None


@app.command("split")
@handle_errors
def split(
    case: Ref,
    messages: Annotated[str, typer.Option("--messages", help="message ids, e.g. 3,4")],
    title: Annotated[str | None, typer.Option(help="default: the first message's subject")] = None,
    category: Annotated[Category | None, typer.Option(help="default: the case's")] = None,
    severity: Annotated[Severity | None, typer.Option(help="default: the case's")] = None,
    owner: Annotated[str | None, typer.Option(help="owner's email; default the case's")] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Move some messages of a case into a new case of the same customer, with its own
    clocks, category and owner."""
    ids = _ids(messages)
    source = _ref(case, "CASE")
    ws = open_workspace()
    with ws.transaction() as session:
        new = splitting.split_case(
            session,
            source,
            message_ids=ids,
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
            title=title,
            category=category,
            severity=severity,
            owner_id=people.user_by_email(session, owner).id if owner else None,
        )
        shown = service.present(session, [new])[0]
    if json_:
        emit_json(shown)
    else:
        out.print(f"{shown.ref} opened with messages {messages}: {shown.title}", markup=False)


@app.command("bulk")
@handle_errors
def change_many(
    cases: Annotated[list[str], typer.Argument(help="case refs or ids")],
    assign: Annotated[str | None, typer.Option(help="hand each to this owner (email)")] = None,
    reason: Annotated[str, typer.Option(help="why (required with --assign)")] = "",
    category: Annotated[Category | None, typer.Option(help="set this category")] = None,
    severity: Annotated[Severity | None, typer.Option(help="set this severity")] = None,
    merge_into: Annotated[
        str | None, typer.Option(help="merge them into this case (ref or id)")
    ] = None,
    merge: Annotated[bool, typer.Option(help="merge them into the earliest one")] = False,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """One change to several cases: each changed (or refused) on its own timeline."""
    chosen = [
        a
        for a, given in (
            (bulk.BulkAction.ASSIGN, assign),
            (bulk.BulkAction.CATEGORY, category),
            (bulk.BulkAction.SEVERITY, severity),
            (bulk.BulkAction.MERGE, merge_into or merge or None),
        )
        if given
    ]
    if len(chosen) != 1:
        raise typer.BadParameter("give one of --assign, --category, --severity, --merge(-into)")
    ids = [_ref(c, "CASES") for c in cases]
    into = _ref(merge_into, "--merge-into") if merge_into else None
    ws = open_workspace()
    with ws.transaction() as session:
        result = bulk.apply(
            session,
            ids,
            change=bulk.BulkChange(
                chosen[0],
                owner_id=people.user_by_email(session, assign).id if assign else None,
                reason=reason,
                category=category,
                severity=severity,
                into=into,
            ),
            actor=people.acting_as(session, as_user, operator=ws.settings.operator),
            now=ws.clock.now(),
            playbook=ws.playbook,
        )
        shown = BulkOut.of(result)
    if json_:
        emit_json(shown)
        return
    out.print(f"changed {len(shown.done)}, refused {len(shown.refused)}", markup=False)
    for item in shown.refused:
        out.print(f"  C-{item.case_id}: {item.code}: {item.detail}", markup=False)
