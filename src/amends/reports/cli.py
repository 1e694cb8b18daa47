from __future__ import annotations

from datetime import datetime
from typing import Annotated

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
) -> None:
    """Recovery metrics: time to acknowledge, SLA, hand-offs, one-interaction fixes, outcomes."""
    ws = open_workspace()
    with ws.transaction() as session:
        data = service.recovery_report(
            session,
            actor=OPERATOR,
            since=_when(since, "--since"),
            until=_when(until, "--until"),
        )
    if json_:
        emit_json(data)
        return
    out.print(f"cases: {data['cases']}")
    out.print(
        f"time to acknowledge: median {data['ack_median_minutes']} min, "
        f"p90 {data['ack_p90_minutes']} min, within SLA {data['ack_within_sla_pct']} %"
    )
    out.print(
        f"hand-offs per case: {data['handoffs_per_case']}; "
        f"resolved in one interaction: {data['one_interaction_pct']} %"
    )
    out.print(f"outcomes (%): {data['outcomes']}")
    for row in data["by_owner"]:
        out.print(
            f"  {row['owner']}: {row['cases']} cases, ack median "
            f"{row['ack_median_minutes']} min, one interaction {row['one_interaction_pct']} %"
        )
