"""``amends patterns``: patterns across cases."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from amends.console import emit_json, handle_errors, open_workspace, out
from amends.errors import InvalidInput
from amends.fields import MAX_DB_INT

app = typer.Typer(help="Patterns across cases: similar cases, repeats, systemic failures.")

Json = Annotated[bool, typer.Option("--json", help="one JSON object / JSON Lines")]


# -- similar cases ----------------------------------------------------------------------


@app.command("reindex")
@handle_errors
def reindex_command(json_: Json = False) -> None:
    """Rebuild the similar-case index from every case and keep it in the workspace folder."""
    from amends.patterns import service

    ws = open_workspace()
    with ws.transaction() as session:
        stats = service.reindex(session, home=ws.settings.home)
    if json_:
        emit_json(stats)
        return
    out.print(f"indexed {stats['cases']} cases in {stats['seconds']} s into {stats['path']}")


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
    from amends.patterns import service

    if (case_id is None) == (text is None):
        raise InvalidInput("give a case id or --text, not both", code="similar-query")
    if text == "-":
        text = sys.stdin.read()
    ws = open_workspace()
    with ws.transaction() as session:
        found = service.similar_cases(
            session, case_id=case_id, text=text, k=k, home=ws.settings.home
        )
        titles = {c: session.get(Case, c).title for c, _ in found}  # type: ignore[union-attr]
    for cid, score in found:
        if json_:
            emit_json({"case_id": cid, "score": round(score, 3), "title": titles[cid]})
        else:
            out.print(f"C-{cid}  {score:.3f}  {titles[cid]}", markup=False, highlight=False)
