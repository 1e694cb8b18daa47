from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from amends.console import emit_json, err, handle_errors, open_workspace, out

import_app = typer.Typer(help="Import customers, commitments and deliveries from CSV files.")


def _import(table: str, path: Path, json_: bool) -> None:
    from rich.progress import Progress

    from amends.errors import InvalidInput
    from amends.intake.csvfiles import MAX_FILE_BYTES, Table, import_csv
    from amends.people.rules import OPERATOR

    if not path.is_file():
        raise InvalidInput(f"{path} is not a file", code="file-missing")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(
            f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB", code="file-too-large"
        )
    data = path.read_bytes()
    total = max(0, data.count(b"\n") - 1)
    ws = open_workspace()
    with Progress(console=err, transient=True, disable=json_ or total < 2000) as bar:
        task = bar.add_task(f"importing {table}", total=total)
        with ws.transaction() as session:
            summary = import_csv(
                session,
                data,
                table=Table(table),
                actor=OPERATOR,
                now=ws.clock.now(),
                reference=path.name,
                progress=lambda n: bar.update(task, completed=n),
            )
    if json_:
        emit_json(summary.as_dict())
    else:
        out.print(
            f"{table}: {summary.imported} imported, {summary.duplicates} already there, "
            f"{summary.rejected} rejected"
        )
        for problem in summary.problems:
            out.print(f"  line {problem.line}: {problem.message} ({problem.code})")
    if summary.rejected:
        raise typer.Exit(1)


def _command(table: str) -> None:
    @import_app.command(table, help=f"Import {table} from a CSV file (see the README columns).")
    @handle_errors
    def run(
        path: Annotated[Path, typer.Argument(help="CSV file, UTF-8 with a header row")],
        json_: Annotated[bool, typer.Option("--json", help="one JSON summary")] = False,
    ) -> None:
        _import(table, path, json_)


for _table in ("customers", "commitments", "deliveries"):
    _command(_table)
