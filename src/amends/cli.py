"""The ``amends`` command: root commands plus each domain's sub-commands."""

from __future__ import annotations

import logging
import os
import threading
from typing import Annotated

import typer

from amends import __version__
from amends.cases.cli import app as cases_app
from amends.coach.cli import app as coach_app
from amends.commitments.cli import commitments_app, deliveries_app
from amends.commitments.cli import sweep as sweep_command
from amends.console import Workspace, emit_json, err, handle_errors, open_workspace, out
from amends.customers.cli import app as customers_app
from amends.intake.cli import import_app, intake_app
from amends.patterns.cli import app as patterns_app
from amends.people.cli import tokens_app, users_app
from amends.reports.cli import report as report_command

app = typer.Typer(
    name="amends",
    help="amends — customer service recovery. Notice, own, fix, compensate, prevent, win back.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(customers_app, name="customers")
app.add_typer(cases_app, name="cases")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.command("report")(report_command)
app.command("sweep")(sweep_command)
app.add_typer(deliveries_app, name="deliveries")
app.add_typer(commitments_app, name="commitments")
app.add_typer(import_app, name="import")
app.add_typer(intake_app, name="intake")
app.add_typer(coach_app, name="coach")
app.add_typer(patterns_app, name="patterns")


def _version(value: bool) -> None:
    if value:
        out.print(f"amends {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="show version")
    ] = False,
) -> None:
    # Commands print their own results; logs are for trouble unless asked for.
    logging.basicConfig(
        level=os.environ.get("AMENDS_LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic reports every plugin it loads at INFO; that is noise on every command.
    logging.getLogger("alembic").setLevel(logging.WARNING)


@app.command()
@handle_errors
def init(json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Create the workspace folder, its secret key and an up-to-date database."""
    from amends.workspace import service as workspace

    ws = open_workspace()
    ws.settings.secret()
    with ws.transaction() as session:
        row = workspace.ensure(session, settings=ws.settings, now=ws.clock.now())
        info = {
            "home": str(ws.settings.home.resolve()),
            "database": _safe_url(ws),
            "workspace": row.name,
            "timezone": row.timezone,
            "currency": row.currency,
        }
    if json_:
        emit_json(info)
    else:
        out.print(f"workspace ready in {info['home']} ({info['database']})")


def _safe_url(ws: Workspace) -> str:
    return ws.engine.url.render_as_string(hide_password=True)


@app.command()
@handle_errors
def migrate() -> None:
    """Bring the database schema up to date (safe to run any time)."""
    ws = open_workspace()
    out.print(f"database is up to date ({_safe_url(ws)})")


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="web server processes")] = 1,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="do not run background jobs in this process")
    ] = False,
) -> None:
    """Serve the web pages and the JSON API."""
    _serve(host=host, port=port, workers=workers, run_jobs=not no_worker)


def _serve(*, host: str, port: int, workers: int, run_jobs: bool) -> None:
    import uvicorn

    from amends.app import create_app
    from amends.workspace import service as workspace

    ws = open_workspace()
    ws.settings.secret()
    with ws.transaction() as session:
        workspace.ensure(session, settings=ws.settings, now=ws.clock.now())
    stop = threading.Event()
    if run_jobs and ws.settings.is_sqlite:
        # On SQLite one process should own the jobs; on PostgreSQL run `amends worker`.
        _start_worker_thread(ws, stop)
    elif run_jobs:
        err.print("PostgreSQL: run `amends worker` separately for background jobs")
    err.print(f"amends is serving on http://{host}:{port}  (API docs: /api/v1/docs)")
    try:
        if workers > 1:
            uvicorn.run(
                "amends.app:create_app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
            )
        else:
            uvicorn.run(
                create_app(ws.settings, engine=ws.engine), host=host, port=port, log_level="warning"
            )
    finally:
        stop.set()


def _start_worker_thread(ws: Workspace, stop: threading.Event) -> None:
    from amends.worker import JobContext, Worker

    w = Worker(JobContext(ws.settings, ws.sessions, ws.clock))
    threading.Thread(target=w.run_forever, args=(stop,), name="amends-worker", daemon=True).start()


@app.command()
@handle_errors
def worker(
    once: Annotated[bool, typer.Option("--once", help="run due jobs once and exit")] = False,
) -> None:
    """Run the periodic jobs (sweeps, outbox, housekeeping) on their schedules."""
    from amends.worker import JobContext, Worker

    ws = open_workspace()
    w = Worker(JobContext(ws.settings, ws.sessions, ws.clock))
    if once:
        for name, result in w.tick().items():
            emit_json({"job": name, "result": result})
        return
    stop = threading.Event()
    try:
        w.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


@app.command()
@handle_errors
def demo(
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="create/load the demo workspace and exit")
    ] = False,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Create the demo workspace if absent, then serve it (unless --no-serve)."""
    from amends.demo import load as demo_load

    ws = open_workspace()
    with ws.transaction() as session:
        fresh = not demo_load.has_data(session)
        if fresh:
            password = demo_load.new_password()
            counts = demo_load.load(
                session,
                settings=ws.settings,
                now=ws.clock.now(),
                password=password,
                playbook=ws.playbook,
            )
    sign_in: demo_load.DemoSignIn | None
    if fresh:
        sign_in = demo_load.write_sign_in(ws.settings.home, password, demo_load.OWNER_EMAIL)
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        err.print(f"demo workspace created in {ws.settings.home.resolve()}: {summary}")
    else:
        sign_in = demo_load.read_sign_in(ws.settings.home)
        if sign_in is None:
            err.print("this workspace already has data and no demo sign-in; serving it as is")
    if sign_in is not None:
        err.print(f"sign in at http://{host}:{port}/signin\n{sign_in.describe()}")
    if not no_serve:
        _serve(host=host, port=port, workers=1, run_jobs=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
