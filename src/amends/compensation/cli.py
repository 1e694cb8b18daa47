"""``amends compensation ...``: the ledger of what was given and what it kept."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from amends.console import emit_json, handle_errors, open_workspace, out
from amends.fields import utc_datetime
from amends.people.rules import OPERATOR

app = typer.Typer(help="Compensation: the ledger of what was given and the revenue it kept.")


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return utc_datetime(datetime.fromisoformat(value))
    except ValueError as exc:
        raise typer.BadParameter(f"{exc} (ISO 8601 with an offset)", param_hint=name) from None


def _money(amounts: dict[str, str]) -> str:
    return ", ".join(f"{amount} {cur}" for cur, amount in amounts.items()) or "-"


@app.command("report")
@handle_errors
def report(
    json_: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    since: Annotated[str | None, typer.Option(help="given at or after (ISO 8601)")] = None,
    until: Annotated[str | None, typer.Option(help="given before (ISO 8601)")] = None,
    team: Annotated[str | None, typer.Option(help="only cases owned by this team")] = None,
    entries: Annotated[
        bool, typer.Option("--entries", help="with --json: each compensation given too")
    ] = False,
) -> None:
    """Per month: compensation given, customers kept and lost, the monthly revenue they
    still bring, what they paid since, and the recovery return (paid since / given)."""
    from amends.compensation import report as ledger
    from amends.people.service import team_named

    start, end = _when(since, "--since"), _when(until, "--until")
    ws = open_workspace()
    with ws.transaction() as session:
        data = ledger.ledger_report(
            session,
            actor=OPERATOR,
            now=ws.clock.now(),
            timezone=ws.settings.timezone,
            since=start,
            until=end,
            team_id=team_named(session, team).id if team is not None else None,
            entries=entries,
        )
    if json_:
        emit_json(data)
        return
    table = Table(
        "month", "given", "customers", "kept", "lost", "still / month", "paid since", "return"
    )
    for row in [*data["months"], {"month": "total", **data["total"]}]:
        table.add_row(
            row["month"],
            _money(row["given"]),
            str(row["customers"]),
            str(row["customers_kept"]),
            str(row["customers_lost"]),
            _money(row["recurring_kept"]),
            _money(row["earned_since"]),
            ", ".join(f"×{v} {c}" for c, v in row["recovery_return"].items()) or "-",
        )
    out.print(table)
