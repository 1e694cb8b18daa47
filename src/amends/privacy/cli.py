"""``amends privacy export|erase CUSTOMER``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from amends.console import Json, ObjectId, emit_json, handle_errors, open_workspace, out
from amends.errors import N_, InvalidInput
from amends.people.rules import OPERATOR
from amends.privacy import service
from amends.web.i18n import terminal_language, translations

app = typer.Typer(
    help="A customer's personal data: export it as a zip, or erase it.", no_args_is_help=True
)


@app.command("export")
@handle_errors
def export(
    customer: ObjectId,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="zip file to write (default customer-ID-export.zip)"),
    ] = None,
    json_: Json = False,
) -> None:
    """Write a zip of everything held about a customer: JSON, raw mail, attachments (0600)."""
    _ = translations(terminal_language(os.environ)).gettext
    target = output or Path(f"customer-{customer}-export.zip")
    if target.exists():
        raise InvalidInput.saying(
            N_("%(path)s already exists; name a new file."), code="export-exists", path=str(target)
        )
    ws = open_workspace()
    try:
        with ws.transaction() as session:
            counts = service.export_customer(
                session,
                actor=OPERATOR,
                customer_id=customer,
                home=ws.settings.home,
                target=target,
                now=ws.clock.now(),
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if json_:
        emit_json({"path": str(target), **counts})
        return
    out.print(
        _(
            "exported customer %(id)s to %(path)s: %(cases)s cases, %(messages)s messages,"
            " %(files)s files"
        )
        % {
            "id": customer,
            "path": target,
            "cases": counts["cases"],
            "messages": counts["messages"],
            "files": counts["attachments"] + counts["raw_mails"],
        },
        soft_wrap=True,
    )


@app.command("erase")
@handle_errors
def erase(
    customer: ObjectId,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
    json_: Json = False,
) -> None:
    """Replace a customer's personal content with a marker and delete their mail and files.

    Counts, amounts and timings stay, so reports do not change. It cannot be undone.
    """
    _ = translations(terminal_language(os.environ)).gettext
    if not yes and not typer.confirm(
        _("Erase the personal data of customer %(id)s? This cannot be undone.") % {"id": customer}
    ):
        raise typer.Exit(1)
    ws = open_workspace()
    try:
        with ws.transaction() as session:
            erasure = service.erase_customer(
                session,
                actor=OPERATOR,
                customer_id=customer,
                home=ws.settings.home,
                now=ws.clock.now(),
            )
        with ws.transaction() as session:
            removed = service.forget_files(session, home=ws.settings.home, erasure=erasure)
        service.purge_indexes(ws.engine)
    finally:
        ws.engine.dispose()
    if json_:
        emit_json(erasure.counts() | {"files_removed": removed})
        return
    out.print(
        _("erased customer %(id)s: %(cases)s cases, %(messages)s messages, %(files)s files deleted")
        % {"id": customer, "cases": erasure.cases, "messages": erasure.messages, "files": removed},
        soft_wrap=True,
    )
