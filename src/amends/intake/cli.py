from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from amends.console import emit_json, err, handle_errors, open_workspace, out
from amends.errors import InvalidInput

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
    with Progress(console=err.real, transient=True, disable=json_ or total < 2000) as bar:
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


# pipeline.BATCH_SIZE (a test keeps them equal): the pipeline is imported only once a
# command runs, so that --help stays quick.
DEFAULT_BATCH = 1000
_BATCH = typer.Option(
    "--batch", min=1, max=5000, help="messages per transaction (stored first, then parsed)"
)

intake_app = typer.Typer(help="Take in email: .eml files, maildir, mbox; retry quarantined mail.")


def _context() -> Any:
    from amends.intake.pipeline import IntakeContext

    ws = open_workspace()
    return IntakeContext(ws.settings, ws.sessions, ws.clock, ws.playbook)


def _report(results: Iterable[Any], json_: bool, total: int, *, per_mail: bool = False) -> None:
    """Stream results (JSON Lines with ``--json``; with ``per_mail`` a line per mail
    otherwise), a progress bar on long runs, a summary."""
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    counts: dict[str, int] = {}
    started = time.monotonic()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err.real, transient=True, disable=total < 50) as bar:
        task = bar.add_task("importing mail", total=total, rate="")
        for n, result in enumerate(results, 1):
            counts[result.status] = counts.get(result.status, 0) + 1
            if json_:
                emit_json(result.as_dict())
            elif per_mail:
                _print_mail(result)
            if n % 50 == 0 or n == total:
                elapsed = max(time.monotonic() - started, 1e-6)
                bar.update(task, completed=n, rate=f"{n / elapsed:,.0f}/s")
    elapsed = time.monotonic() - started
    done = sum(counts.values())
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing"
    rate = f" ({done / elapsed:,.0f} messages/s)" if done and elapsed > 0 else ""
    err.print(f"done: {done} messages in {elapsed:.1f} s{rate}: {summary}")


def _left_to_judge(ctx: Any) -> None:
    """Say how many new cases wait to be judged for repeats and patterns: a bulk import
    leaves that to the judge-cases job, so the import itself is not held by it."""
    from amends.db import transaction
    from amends.patterns.judging import waiting

    with transaction(ctx.sessions) as session:
        count = waiting(session)
    if count:
        waits = "new case waits" if count == 1 else "new cases wait"
        err.print(
            f"{count} {waits} to be judged for repeats and patterns: the worker "
            "(amends worker) judges them; amends worker --once does it now"
        )


def _print_mail(result: Any) -> None:
    """One line per mail, so whoever took a handful of files in sees where each went."""
    case = f"C-{result.case_id}" if result.case_id else "-"
    line = f"{result.file}  {result.status}  {case}  {result.language or '-'}"
    if result.reason:
        line += f"  ({result.reason})"
    out.print(line, markup=False, soft_wrap=True)


@intake_app.command("eml")
@handle_errors
def intake_eml(
    paths: Annotated[list[Path], typer.Argument(help=".eml files")],
    json_: Annotated[bool, typer.Option("--json", help="one JSON object per file")] = False,
    batch: Annotated[int, _BATCH] = DEFAULT_BATCH,
) -> None:
    """Take in .eml files; each is stored before it is read, and never twice."""
    from amends.intake.pipeline import ingest_many

    ctx = _context()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InvalidInput(f"not a file: {', '.join(missing)}", code="file-missing")
    _report(
        ingest_many(ctx, ((p.read_bytes(), "eml", str(p)) for p in paths), batch_size=batch),
        json_,
        len(paths),
        per_mail=True,
    )
    _left_to_judge(ctx)


@intake_app.command("maildir")
@handle_errors
def intake_maildir(
    directory: Annotated[Path, typer.Argument(help="a maildir (with cur/ and new/)")],
    json_: Annotated[bool, typer.Option("--json")] = False,
    batch: Annotated[int, _BATCH] = DEFAULT_BATCH,
) -> None:
    """Take in every message of a maildir; safe to run again (already seen mail is skipped)."""
    from amends.intake.pipeline import ingest_many

    folders = [directory / "new", directory / "cur"]
    if not all(f.is_dir() for f in folders):
        raise InvalidInput(
            f"{directory} is not a maildir (needs cur/ and new/)", code="not-a-maildir"
        )
    files = sorted(p for f in folders for p in f.iterdir() if p.is_file())
    ctx = _context()
    _report(
        ingest_many(ctx, ((p.read_bytes(), "maildir", str(p)) for p in files), batch_size=batch),
        json_,
        len(files),
    )
    _left_to_judge(ctx)


@intake_app.command("mbox")
@handle_errors
def intake_mbox(
    path: Annotated[Path, typer.Argument(help="an mbox file")],
    json_: Annotated[bool, typer.Option("--json")] = False,
    batch: Annotated[int, _BATCH] = DEFAULT_BATCH,
) -> None:
    """Take in every message of an mbox file; safe to run again."""
    import mailbox

    from amends.intake.pipeline import ingest_many

    if not path.is_file():
        raise InvalidInput(f"{path} is not a file", code="file-missing")
    box = mailbox.mbox(str(path), create=False)
    keys = list(box.keys())
    ctx = _context()
    _report(
        ingest_many(
            ctx,
            ((box.get_bytes(k), "mbox", f"{path}#{i + 1}") for i, k in enumerate(keys)),
            batch_size=batch,
        ),
        json_,
        len(keys),
    )
    _left_to_judge(ctx)


@intake_app.command("retry")
@handle_errors
def intake_retry(
    json_: Annotated[bool, typer.Option("--json")] = False,
    pending_only: Annotated[
        bool, typer.Option("--pending-only", help="leave quarantined mail alone")
    ] = False,
) -> None:
    """Process again mail left pending by a crash, and quarantined mail after a fix."""
    from amends.intake.pipeline import retry

    results = retry(_context(), include_quarantined=not pending_only)
    _report(iter(results), json_, len(results))


@intake_app.command("smtp")
@handle_errors
def intake_smtp(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 2525,
) -> None:
    """Receive mail over SMTP; each message is stored before the sender is told 250."""
    import threading

    from amends.intake.smtp import controller

    server = controller(_context(), host=host, port=port)
    server.start()
    err.print(f"receiving mail on smtp://{host}:{port} (Ctrl-C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@intake_app.command("imap")
@handle_errors
def intake_imap(
    once: Annotated[bool, typer.Option("--once", help="poll once and exit")] = False,
    interval: Annotated[int, typer.Option(min=5, max=3600, help="seconds between polls")] = 60,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Poll the IMAP mailbox saved with `amends mail set imap` (else AMENDS_IMAP_*):
    unseen mail; seen once stored."""
    import time

    from amends.db import transaction
    from amends.intake.imap import mailbox_of, poll
    from amends.messages import channels

    ctx = _context()
    while True:
        # Read again before every poll: a mailbox changed meanwhile is used from the next.
        with transaction(ctx.sessions) as session:
            box = mailbox_of(channels.effective(session, ctx.settings))
        if box is None:
            raise InvalidInput(
                "set up a mailbox: amends mail set imap, or AMENDS_IMAP_HOST, "
                "AMENDS_IMAP_USER and AMENDS_IMAP_PASSWORD",
                code="imap-not-configured",
            )
        results = poll(ctx, box)
        _report(iter(results), json_, len(results))
        if once:
            return
        time.sleep(interval)
