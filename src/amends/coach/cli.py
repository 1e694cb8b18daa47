from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from amends.console import emit_json, err, handle_errors, out

app = typer.Typer(help="The message coach: check a message for blame and excuses; draft one.")

Lang = Annotated[str, typer.Option("--lang", help="auto, en, th, sk or el")]


def _print(result: object) -> None:
    from amends.coach.rules import CheckResult

    assert isinstance(result, CheckResult)
    if not result.findings:
        out.print(f"[green]clean[/green] ({result.language})")
        return
    out.print(f"{len(result.findings)} finding(s) ({result.language}):")
    for f in result.findings:
        where = f"“{f.excerpt}” [{f.start}:{f.end}]" if f.excerpt else "(missing)"
        out.print(
            f"  [bold]{f.code.value}[/bold] {where}\n    {f.explanation}\n    try: {f.suggestion}"
        )


@app.command("check")
@handle_errors
def check_command(
    lang: Lang = "auto",
    json_: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    batch: Annotated[
        bool, typer.Option("--batch", help='JSON Lines {"text", "lang"?} in, one result out each')
    ] = False,
) -> None:
    """Check one message from stdin (or many with --batch); findings are not an error."""
    from amends.coach.rules import check

    if batch:
        # A bad line gets an error object in its place, so the output stays aligned with
        # the input and one broken line does not lose the rest.
        failures = 0
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    raise ValueError('each line needs {"text": "..."}')
                result = check(item["text"], item.get("lang") or lang)
                emit_json(result.as_dict())
            except ValueError as exc:
                failures += 1
                emit_json({"line": number, "error": str(exc)})
        if failures:
            err.print(f"{failures} line(s) could not be checked")
            raise typer.Exit(2)
        return
    text = sys.stdin.read()
    if not text.strip():
        err.print("error: nothing to check on stdin")
        raise typer.Exit(2)
    try:
        result = check(text, lang)
    except ValueError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from None
    if json_:
        emit_json(result.as_dict())
    else:
        _print(result)


@app.command("draft")
@handle_errors
def draft_command(
    case: Annotated[int, typer.Option("--case", min=1, help="case id")],
    step: Annotated[
        str,
        typer.Option(
            help="acknowledgment, apology, remedy_offer, "
            "change_explained, follow_up, win_back, parting_ways"
        ),
    ],
    lang: Annotated[str | None, typer.Option("--lang", help="default: the customer's")] = None,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Draft the step's message for a case, in the customer's language, checked clean."""
    from amends.coach import service
    from amends.console import open_workspace
    from amends.people.rules import OPERATOR

    ws = open_workspace()
    with ws.transaction() as session:
        drafted = service.draft(
            session,
            case,
            step=step,
            lang=lang,
            actor=OPERATOR,
            now=ws.clock.now(),
            business=ws.settings.workspace_name,
        )
    if json_:
        emit_json(drafted)
    else:
        # Drafts are pasted into mail: wrapping at the terminal's width would put hard
        # line breaks into the message, and brackets in it are text, not markup.
        out.print(drafted["text"], soft_wrap=True, markup=False)
