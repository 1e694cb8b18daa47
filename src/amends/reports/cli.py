from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from amends.console import emit_json, handle_errors, open_workspace, out
from amends.people.rules import OPERATOR
from amends.reports import service


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    # Only a window needs the field helpers (and the pydantic types they define).
    from amends.fields import utc_datetime

    try:
        return utc_datetime(datetime.fromisoformat(value))
    except ValueError as exc:
        raise typer.BadParameter(f"{exc} (ISO 8601 with offset)", param_hint=name) from None


@handle_errors
def report(
    json_: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    since: Annotated[str | None, typer.Option(help="cases opened at or after (ISO 8601)")] = None,
    until: Annotated[str | None, typer.Option(help="cases opened before (ISO 8601)")] = None,
    team: Annotated[str | None, typer.Option(help="only cases owned by this team")] = None,
) -> None:
    """Recovery metrics: time to acknowledge, SLA, hand-offs, one-interaction fixes, outcomes.

    Also repeats, attainment week by week and the open cases by age."""
    from amends.people.service import team_named

    ws = open_workspace()
    with ws.transaction() as session:
        data = service.recovery_report(
            session,
            actor=OPERATOR,
            since=_when(since, "--since"),
            until=_when(until, "--until"),
            team_id=team_named(session, team).id if team is not None else None,
            now=ws.clock.now(),
        )
    if json_:
        emit_json(data)
        return
    _print_report(data)


def duration(minutes: float | None) -> str:
    """A span of minutes as a person says it: "45 min", "3 h 05 min", "2 d 4 h"."""
    if minutes is None:
        return "-"
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    hours, mins = divmod(whole, 60)
    if hours < 24:
        return f"{hours} h {mins:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:g} %"


def _print_report(data: dict[str, Any]) -> None:
    from rich.table import Table

    out.print(f"cases: {data['cases']}")
    out.print(
        f"time to acknowledge: median {duration(data['ack_median_minutes'])}, "
        f"p90 {duration(data['ack_p90_minutes'])}, "
        f"within SLA {_pct(data['ack_within_sla_pct'])}"
    )
    out.print(
        "within SLA, each clock (business time): "
        f"acknowledge {_pct(data['ack_within_sla_pct'])}, "
        f"remedy {_pct(data['remedy_within_sla_pct'])}, "
        f"close {_pct(data['close_within_sla_pct'])}"
    )
    out.print(
        f"hand-offs per case: {data['handoffs_per_case']:g}; "
        f"resolved in one interaction: {_pct(data['one_interaction_pct'])}"
    )
    out.print(f"repeats of an earlier failure: {data['repeats']} ({_pct(data['repeat_pct'])})")
    outcomes = Table(title="outcomes of closed cases", title_justify="left")
    outcomes.add_column("outcome")
    outcomes.add_column("cases", justify="right")
    outcomes.add_column("share", justify="right")
    counts: dict[str, int] = data["outcome_counts"]
    for name, share in data["outcomes"].items():
        outcomes.add_row(name, str(counts.get(name, 0)), _pct(share))
    out.print(outcomes)
    for key, label in (("by_owner", "owner"), ("by_category", "category")):
        rows = Table(title=f"by {label}", title_justify="left")
        rows.add_column(label, no_wrap=True)
        for column in (
            "cases",
            "ack median",
            "ack p90",
            "ack in SLA",
            "remedy in SLA",
            "1 interaction",
        ):
            rows.add_column(column, justify="right", no_wrap=True)
        for row in data[key]:
            rows.add_row(
                str(row["owner" if key == "by_owner" else "category"]),
                str(row["cases"]),
                duration(row["ack_median_minutes"]),
                duration(row["ack_p90_minutes"]),
                _pct(row["ack_within_sla_pct"]),
                _pct(row["remedy_within_sla_pct"]),
                _pct(row["one_interaction_pct"]),
            )
        out.print(rows)
    _print_paradox(data["recovery_paradox"])


def _print_paradox(figure: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(
        title="recovery paradox: recovered customers against those who never had a failure",
        title_justify="left",
    )
    for column in ("group", "customers", "retained", "mean CSAT (1-5)", "answers", "NPS"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for name in ("recovered", "never_failed"):
        row = figure[name]
        table.add_row(
            name.replace("_", " "),
            str(row["customers"]),
            _pct(row["retention_pct"]),
            "-" if row["csat_mean"] is None else f"{row['csat_mean']:g}",
            str(row["answers"]),
            "-" if row["nps"] is None else str(row["nps"]),
        )
    out.print(table)
    holds = {True: "holds", False: "does not hold", None: "not enough answers to tell"}
    out.print(f"the recovery paradox {holds[figure['holds']]}")
