"""``amends backup PATH`` and ``amends restore PATH``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from amends.backup import service
from amends.console import Json, emit_json, err, handle_errors, open_workspace, out
from amends.errors import N_
from amends.web.i18n import terminal_language, translations

Target = Annotated[Path, typer.Argument(help="the backup folder")]

# What each phase is called on the progress bar.
PHASES = {
    "database": N_("copying the database"),
    "files": N_("copying files"),
    "checking": N_("checking the backup"),
}


@contextmanager
def _progress(quiet: bool) -> Iterator[service.Progress]:
    """A progress bar per phase on stderr (left out with --json or off a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    _ = translations(terminal_language(os.environ)).gettext
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err.real, transient=True, disable=quiet) as bar:
        tasks: dict[str, object] = {}

        def report(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(_(PHASES.get(what, what)), total=total or None)
            bar.update(tasks[what], completed=done, total=total or None)  # type: ignore[arg-type]

        yield report


@handle_errors
def backup(path: Target, json_: Json = False) -> None:
    """Back up the database and the workspace's files into a new folder."""
    _ = translations(terminal_language(os.environ)).gettext
    ws = open_workspace(migrate=False)
    # Only a folder this run makes (or found empty) is ever removed again.
    fresh = not path.exists() or (path.is_dir() and not any(path.iterdir()))
    try:
        with _progress(json_) as progress:
            summary = service.backup(ws.settings, path, now=ws.clock.now(), progress=progress)
    except BaseException:
        # An unfinished backup must not be mistaken for one: no manifest, no folder.
        if fresh and path.exists() and not (path / service.MANIFEST).exists():
            service.remove_partial(path)
        raise
    finally:
        ws.engine.dispose()
    if json_:
        emit_json(summary)
        return
    out.print(
        _("backup written to %(path)s: database %(size)s bytes, %(files)s files")
        % {"path": path, "size": summary["database_bytes"], "files": summary["files"]},
        soft_wrap=True,
    )


@handle_errors
def restore(path: Target, json_: Json = False) -> None:
    """Restore a backup folder into an empty workspace.

    Use a new AMENDS_HOME and an empty database (on PostgreSQL, one made with createdb).
    """
    from amends import migrate

    _ = translations(terminal_language(os.environ)).gettext
    ws = open_workspace(migrate=False)
    try:
        with _progress(json_) as progress:
            summary = service.restore(ws.settings, path, progress=progress)
        # A backup made by an older version is brought up to this version's schema.
        migrate.upgrade(ws.engine)
    finally:
        ws.engine.dispose()
    if json_:
        emit_json(summary)
        return
    out.print(
        _("restored %(path)s into %(home)s (%(files)s files)")
        % {"path": path, "home": ws.settings.home.resolve(), "files": summary["files"]},
        soft_wrap=True,
    )
