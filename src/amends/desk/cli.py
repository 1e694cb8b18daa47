"""``amends replies``: saved replies from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from amends.console import AsUser, Json, ObjectId, emit_json, handle_errors, open_workspace, out
from amends.desk import replies
from amends.desk.schemas import FilledReplyOut, SavedReplyOut
from amends.people import service as people

app = typer.Typer(help="Saved replies: your own and your team's snippets, coached when saved.")

TextOption = Annotated[str | None, typer.Option("--text", help="the reply; or --file")]
FileOption = Annotated[
    Path | None, typer.Option(exists=True, dir_okay=False, help="read the reply from")
]


def _body(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        raise typer.BadParameter("give the reply as --text or --file, not both")
    return text if text is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]


def _show(reply: SavedReplyOut) -> None:
    scope = f"team {reply.team_id}" if reply.team_id else f"user {reply.owner_id}"
    out.print(f"#{reply.id} [{reply.language}] {reply.title} ({scope})", markup=False)


@app.command("list")
@handle_errors
def list_command(
    language: Annotated[str | None, typer.Option(help="only this language")] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Saved replies you may use: your own and your team's (every team's for managers)."""
    ws = open_workspace()
    with ws.transaction() as session:
        actor = people.acting_as(session, as_user, operator=ws.settings.operator)
        found = [
            SavedReplyOut.model_validate(r)
            for r in replies.list_replies(session, actor=actor, language=language)
        ]
    for item in found:
        emit_json(item) if json_ else _show(item)


@app.command("add")
@handle_errors
def add_command(
    title: Annotated[str, typer.Option(help="what the agents pick it by")],
    language: Annotated[str, typer.Option(help="en, th, sk or el")],
    text: TextOption = None,
    file: FileOption = None,
    team: Annotated[str | None, typer.Option(help="a team's (by name) instead of yours")] = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Save a reply; the coach refuses one that blames or makes excuses (exit 1)."""
    body = _body(text, file)
    ws = open_workspace()
    with ws.transaction() as session:
        actor = people.acting_as(session, as_user, operator=ws.settings.operator)
        team_id = people.team_named(session, team).id if team else None
        made = replies.create_reply(
            session,
            actor=actor,
            now=ws.clock.now(),
            draft=replies.Draft(title, body, language),
            team_id=team_id,
        )
        shown = SavedReplyOut.model_validate(made)
    emit_json(shown) if json_ else _show(shown)


@app.command("edit")
@handle_errors
def edit_command(
    reply_id: ObjectId,
    title: Annotated[str | None, typer.Option(help="a new title")] = None,
    language: Annotated[str | None, typer.Option(help="a new language")] = None,
    text: TextOption = None,
    file: FileOption = None,
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Change a saved reply; the coach checks it again."""
    ws = open_workspace()
    with ws.transaction() as session:
        actor = people.acting_as(session, as_user, operator=ws.settings.operator)
        old = replies.get_reply(session, reply_id, actor=actor)
        body = _body(text, file) if (text is not None or file is not None) else old.text
        changed = replies.update_reply(
            session,
            reply_id,
            actor=actor,
            now=ws.clock.now(),
            draft=replies.Draft(title or old.title, body, language or old.language),
        )
        shown = SavedReplyOut.model_validate(changed)
    emit_json(shown) if json_ else _show(shown)


@app.command("remove")
@handle_errors
def remove_command(reply_id: ObjectId, as_user: AsUser = None) -> None:
    """Remove a saved reply."""
    ws = open_workspace()
    with ws.transaction() as session:
        actor = people.acting_as(session, as_user, operator=ws.settings.operator)
        replies.delete_reply(session, reply_id, actor=actor, now=ws.clock.now())
    out.print(f"removed #{reply_id}", markup=False)


@app.command("fill")
@handle_errors
def fill_command(
    reply_id: ObjectId,
    case_id: Annotated[int, typer.Option("--case", min=1, help="the case to fill it for")],
    as_user: AsUser = None,
    json_: Json = False,
) -> None:
    """Print a saved reply filled for a case (names, reference, dates and amounts)."""
    ws = open_workspace()
    with ws.transaction() as session:
        actor = people.acting_as(session, as_user, operator=ws.settings.operator)
        text = replies.fill_for_case(
            session,
            reply_id,
            case_id,
            actor=actor,
            now=ws.clock.now(),
            business=ws.settings.workspace_name,
            timezone=ws.settings.timezone,
        )
    if json_:
        emit_json(FilledReplyOut(reply_id=reply_id, case_id=case_id, text=text))
    else:
        out.print(text, markup=False)
