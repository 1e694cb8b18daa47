"""``amends patterns ...`` and ``amends actions ...``."""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from amends.cases.rules import case_ref
from amends.console import emit_json, err, handle_errors, open_workspace, out
from amends.errors import InvalidInput
from amends.fields import MAX_DB_INT, utc_datetime
from amends.paging import pages
from amends.people.rules import OPERATOR

ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]
Json = Annotated[bool, typer.Option("--json", help="JSON Lines / one JSON object")]

app = typer.Typer(help="Systemic patterns across customers, and the themes to focus on.")
actions_app = typer.Typer(help="Corrective actions: what we changed so it never happens again.")


def _money(amounts: dict[str, str]) -> str:
    return ", ".join(f"{amount} {cur}" for cur, amount in amounts.items()) or "-"


# --- patterns and themes -----------------------------------------------------------------


@app.command("list")
@handle_errors
def list_patterns(
    json_: Json = False,
    status: Annotated[str | None, typer.Option(help="open, addressed or resolved")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """List patterns, the most recently active first (JSON Lines with --json)."""
    from amends.patterns import reading
    from amends.patterns.rules import PatternStatus
    from amends.patterns.schemas import PatternOut

    try:
        wanted = PatternStatus(status) if status else None
    except ValueError:
        raise typer.BadParameter("use open, addressed or resolved", param_hint="--status") from None
    ws = open_workspace()
    rows: list[PatternOut] = []
    with ws.transaction() as session:
        for items in pages(
            lambda offset, size: reading.list_patterns(
                session, actor=OPERATOR, status=wanted, offset=offset, limit=size
            ),
            limit=limit,
        ):
            rows.extend(reading.present(session, items, actor=OPERATOR))
    if json_:
        for row in rows:
            emit_json(row)
        return
    table = Table("ref", "status", "category", "customers", "cases", "actions", "last", "title")
    for row in rows:
        table.add_row(
            row.ref,
            row.status.value,
            row.category,
            str(row.customers),
            str(len(row.case_ids)),
            ", ".join(f"A-{a}" for a in row.action_ids) or "none yet",
            row.last_opened_at.strftime("%Y-%m-%d"),
            row.title,
        )
    out.print(table)


@app.command("show")
@handle_errors
def show_pattern(pattern_id: ObjectId, json_: Json = False) -> None:
    """Show one pattern with its cases and corrective actions."""
    from amends.patterns import reading

    ws = open_workspace()
    with ws.transaction() as session:
        shown = reading.present(
            session, [reading.get_pattern(session, pattern_id, actor=OPERATOR)], actor=OPERATOR
        )[0]
    if json_:
        emit_json(shown)
        return
    out.print(f"[bold]{shown.ref}[/bold] {shown.title}")
    out.print(f"{shown.status.value} · {shown.category} · {shown.customers} customers")
    out.print("cases: " + ", ".join(case_ref(c) for c in shown.case_ids))
    if shown.action_ids:
        out.print("actions: " + ", ".join(f"A-{a}" for a in shown.action_ids))
    else:
        out.print("no corrective action yet: its cases cannot explain a change")


@app.command("detect")
@handle_errors
def detect(
    json_: Json = False,
    since: Annotated[
        str | None, typer.Option(help="only cases opened at or after (ISO 8601)")
    ] = None,
) -> None:
    """Find patterns in past cases (after an upgrade or a change of the [patterns] settings)."""
    from amends.patterns import service

    start = None
    if since is not None:
        try:
            start = utc_datetime(datetime.fromisoformat(since))
        except ValueError as exc:
            raise typer.BadParameter(
                f"{exc} (ISO 8601 with an offset)", param_hint="--since"
            ) from None
    ws = open_workspace()
    with ws.transaction() as session:
        result = service.backfill(
            session, now=ws.clock.now(), policy=ws.playbook.patterns, since=start
        )
    payload = {
        "cases": result.cases,
        "patterns_created": result.patterns_created,
        "cases_added": result.cases_added,
    }
    if json_:
        emit_json(payload)
    else:
        out.print(
            f"looked at {result.cases} cases: {result.patterns_created} new pattern(s), "
            f"{result.cases_added} case(s) added to patterns"
        )


@app.command("themes")
@handle_errors
def list_themes(
    json_: Json = False,
    days: Annotated[
        int | None, typer.Option(min=1, max=3660, help="window (default: the playbook's)")
    ] = None,
) -> None:
    """What customers keep running into: cases, customers, revenue at stake, trend."""
    from amends.patterns import themes

    ws = open_workspace()
    with ws.transaction() as session:
        window = timedelta(days=days) if days else ws.playbook.patterns.window
        data = themes.themes(
            session,
            actor=OPERATOR,
            now=ws.clock.now(),
            window=window,
            currency=ws.settings.currency,
        )
    if json_:
        emit_json(data)
        return
    out.print(f"last {data['window_days']} days against the {data['window_days']} before")
    table = Table("theme", "cases", "customers", "at stake / month", "before", "trend")
    for theme in data["themes"]:
        label = theme["key"] if theme["kind"] == "category" else f"{theme['key']} {theme['title']}"
        change: dict[str, Any] = theme["trend"]
        table.add_row(
            label,
            str(theme["cases"]),
            str(theme["customers"]),
            _money(theme["revenue_at_stake"]),
            str(change["previous"]),
            f"{change['direction']} {change['change']:+d}",
        )
    out.print(table)


# --- corrective actions ------------------------------------------------------------------


def _print_action(row: Any) -> None:
    out.print(f"[bold]{row.ref}[/bold] {row.change_kind.value}: {row.description}")
    out.print(f"root cause: {row.root_cause}")
    out.print(f"owner {row.owner.name} · due {row.due_on} · {row.status.value}")
    links = [case_ref(c) for c in row.case_ids] + [f"P-{p}" for p in row.pattern_ids]
    out.print("fixes: " + ", ".join(links))
    check = row.verification
    out.print(f"verification: {check.verdict.value} ({check.repeats_after} similar since done)")


@actions_app.command("list")
@handle_errors
def list_actions(
    json_: Json = False,
    status: Annotated[
        str | None, typer.Option(help="planned, in_progress, done or verified")
    ] = None,
    pattern: Annotated[int | None, typer.Option(min=1, max=MAX_DB_INT, help="pattern id")] = None,
    case: Annotated[int | None, typer.Option(min=1, max=MAX_DB_INT, help="case id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """List corrective actions, newest first (JSON Lines with --json)."""
    from amends.patterns import actions
    from amends.patterns.rules import ActionStatus
    from amends.patterns.schemas import ActionOut

    try:
        wanted = ActionStatus(status) if status else None
    except ValueError:
        raise typer.BadParameter(
            "use planned, in_progress, done or verified", param_hint="--status"
        ) from None
    ws = open_workspace()
    rows: list[ActionOut] = []
    with ws.transaction() as session:
        for items in pages(
            lambda offset, size: actions.list_actions(
                session,
                actor=OPERATOR,
                status=wanted,
                pattern_id=pattern,
                case_id=case,
                offset=offset,
                limit=size,
            ),
            limit=limit,
        ):
            rows.extend(
                actions.present(
                    session, items, actor=OPERATOR, now=ws.clock.now(), policy=ws.playbook.patterns
                )
            )
    if json_:
        for row in rows:
            emit_json(row)
        return
    table = Table("ref", "status", "kind", "owner", "due", "verification", "change")
    for row in rows:
        table.add_row(
            row.ref,
            row.status.value,
            row.change_kind.value,
            row.owner.name,
            str(row.due_on) + (" (overdue)" if row.overdue else ""),
            row.verification.verdict.value,
            row.description,
        )
    out.print(table)


@actions_app.command("show")
@handle_errors
def show_action(action_id: ObjectId, json_: Json = False) -> None:
    """Show one corrective action with its links and verification."""
    from amends.patterns import actions

    ws = open_workspace()
    with ws.transaction() as session:
        item = actions.get_action(session, action_id, actor=OPERATOR)
        row = actions.present(
            session, [item], actor=OPERATOR, now=ws.clock.now(), policy=ws.playbook.patterns
        )[0]
    if json_:
        emit_json(row)
    else:
        _print_action(row)


def _due(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("a date as YYYY-MM-DD", param_hint="--due") from None


@actions_app.command("add")
@handle_errors
def add_action(
    root_cause: Annotated[str, typer.Option("--root-cause", help="what caused the failure")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="quality_check, staffing, stock, tooling, named_contact or customer_notification",
        ),
    ],
    description: Annotated[str, typer.Option("--description", help="the change, in a sentence")],
    owner: Annotated[str, typer.Option("--owner", help="owner's email")],
    due: Annotated[str, typer.Option("--due", help="due date, YYYY-MM-DD")],
    case: Annotated[
        list[int] | None, typer.Option("--case", min=1, max=MAX_DB_INT, help="case it fixes")
    ] = None,
    pattern: Annotated[
        list[int] | None,
        typer.Option("--pattern", min=1, max=MAX_DB_INT, help="pattern it fixes"),
    ] = None,
    json_: Json = False,
) -> None:
    """Record a corrective action for cases (--case, repeatable) and patterns (--pattern)."""
    from amends.patterns import actions
    from amends.patterns.rules import ChangeKind

    try:
        change_kind = ChangeKind(kind)
    except ValueError:
        raise typer.BadParameter(
            ", ".join(k.value for k in ChangeKind), param_hint="--kind"
        ) from None
    due_on = _due(due)
    ws = open_workspace()
    with ws.transaction() as session:
        item = actions.add_action(
            session,
            actor=OPERATOR,
            now=ws.clock.now(),
            root_cause=root_cause,
            change_kind=change_kind,
            description=description,
            owner_id=actions.owner_by_email(session, owner, actor=OPERATOR),
            due_on=due_on,
            case_ids=case or [],
            pattern_ids=pattern or [],
        )
        row = actions.present(
            session, [item], actor=OPERATOR, now=ws.clock.now(), policy=ws.playbook.patterns
        )[0]
    if json_:
        emit_json(row)
    else:
        out.print(f"{row.ref} recorded: {row.description}")


@actions_app.command("status")
@handle_errors
def set_status(
    action_id: ObjectId,
    status: Annotated[str, typer.Argument(help="planned, in_progress, done or verified")],
    note: Annotated[str, typer.Option(help="what was done")] = "",
    json_: Json = False,
) -> None:
    """Move an action on; verifying is refused while similar cases keep opening."""
    from amends.patterns import actions
    from amends.patterns.rules import ActionStatus

    try:
        wanted = ActionStatus(status)
    except ValueError:
        raise typer.BadParameter(
            "use planned, in_progress, done or verified", param_hint="STATUS"
        ) from None
    ws = open_workspace()
    with ws.transaction() as session:
        item = actions.set_status(
            session, action_id, actor=OPERATOR, now=ws.clock.now(), status=wanted, note=note
        )
        row = actions.present(
            session, [item], actor=OPERATOR, now=ws.clock.now(), policy=ws.playbook.patterns
        )[0]
    if json_:
        emit_json(row)
    else:
        out.print(f"{row.ref} is now {row.status.value} ({row.verification.verdict.value})")


@actions_app.command("link")
@handle_errors
def link_action(
    action_id: ObjectId,
    case: Annotated[
        list[int] | None, typer.Option("--case", min=1, max=MAX_DB_INT, help="case it fixes")
    ] = None,
    pattern: Annotated[
        list[int] | None,
        typer.Option("--pattern", min=1, max=MAX_DB_INT, help="pattern it fixes"),
    ] = None,
    json_: Json = False,
) -> None:
    """Link more cases or patterns an action fixes."""
    from amends.patterns import actions

    ws = open_workspace()
    with ws.transaction() as session:
        item = actions.link(
            session,
            action_id,
            actor=OPERATOR,
            now=ws.clock.now(),
            case_ids=case or [],
            pattern_ids=pattern or [],
        )
        row = actions.present(
            session, [item], actor=OPERATOR, now=ws.clock.now(), policy=ws.playbook.patterns
        )[0]
    if json_:
        emit_json(row)
    else:
        _print_action(row)


@actions_app.command("word")
@handle_errors
def word_action(
    action_id: ObjectId,
    language: Annotated[str, typer.Argument(help="en, th, sk or el")],
    text: Annotated[str, typer.Argument(help="the change in that language; empty removes it")],
    json_: Json = False,
) -> None:
    """Tell the change to customers of a language in these words (the "what we changed"
    drafts in that language say it; without one they name the kind of change alone)."""
    from amends.patterns import actions

    ws = open_workspace()
    with ws.transaction() as session:
        item = actions.set_wording(
            session, action_id, actor=OPERATOR, now=ws.clock.now(), language=language, text=text
        )
        row = actions.present(
            session, [item], actor=OPERATOR, now=ws.clock.now(), policy=ws.playbook.patterns
        )[0]
    if json_:
        emit_json(row)
    else:
        told = ", ".join(sorted(row.wordings)) or "none"
        out.print(f"{row.ref} is worded in: {told}", markup=False)


# -- similar cases ----------------------------------------------------------------------


@app.command("reindex")
@handle_errors
def reindex_command(json_: Json = False) -> None:
    """Write every case's text for similar cases again, then sketch every case and fit
    its cells (what the index-similar job would do over the next minutes)."""
    from amends.patterns import indexing, similar

    ws = open_workspace()
    with ws.transaction() as session:
        stats = similar.reindex(session)
    started = time.perf_counter()
    done = indexing.keep_up(
        ws.transaction, now=ws.clock.now, progress=None if json_ else lambda line: err.print(line)
    )
    stats = {**stats, **done, "seconds": round(stats["seconds"] + time.perf_counter() - started, 3)}
    if json_:
        emit_json(stats)
        return
    out.print(
        f"indexed {stats['cases']} cases in {stats['seconds']} s"
        f" ({done['sketched']} sketched, {'cells fitted' if done['fitted'] else 'no new cells'},"
        f" {done['packed']} cells packed)"
    )


@app.command("similar")
@handle_errors
def similar_command(
    case_id: Annotated[
        int | None, typer.Argument(min=1, max=MAX_DB_INT, help="a case (or --text -)")
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="a text to compare instead; - reads stdin")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="how many")] = 10,
    json_: Json = False,
) -> None:
    """The cases most like a case or a text, best first (JSON Lines with --json)."""
    from amends.cases.models import Case
    from amends.patterns import similar

    if (case_id is None) == (text is None):
        raise InvalidInput("give a case id or --text, not both", code="similar-query")
    if text == "-":
        text = sys.stdin.read()
    ws = open_workspace()
    with ws.transaction() as session:
        found = similar.similar_cases(session, case_id=case_id, text=text, k=k)
        titles = {c: session.get(Case, c).title for c, _ in found}  # type: ignore[union-attr]
    for cid, score in found:
        if json_:
            emit_json({"case_id": cid, "score": round(score, 3), "title": titles[cid]})
        else:
            out.print(f"{case_ref(cid)}  {score:.3f}  {titles[cid]}", markup=False, highlight=False)
