"""The ``amends`` command: root commands plus each domain's sub-commands."""

from __future__ import annotations

import importlib
import threading
from difflib import get_close_matches
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
import typer.main
from typer._click.exceptions import UsageError

from amends import __version__
from amends.console import emit_json, err, handle_errors, open_workspace, out

if TYPE_CHECKING:
    # Typer bundles its own click; its types are the ones these methods receive.
    from typer import _click as click

    from amends.console import Workspace


def _flag_type(self: typer.core.TyperOption, ctx: click.Context) -> str | None:
    # Typer's rich help prints a type after every option, so a flag reads
    # `--no-serve <bool>` as if it took a value; a flag takes none, so show no type.
    if self.is_flag:
        return None
    return _option_type(self, ctx)


_option_type = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = _flag_type  # type: ignore[method-assign]

# Sub-commands are imported only when invoked: `amends report` should not pay for
# loading every domain (ORM models, FastAPI, language detection) before it starts.
# To add one, add a row: name -> ("module:attribute", one-line help). The attribute is
# a Typer app (a command group) or a plain function (a single command); groups joined
# by "+" are one group (a domain's own commands and the cross-domain ones of
# amends.recovery). `--help` lists every row from this table without importing anything.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "customers": (
        "amends.customers.cli:app+amends.recovery.cli:customers_app",
        "Customers: who they are, what they are worth, how they are doing.",
    ),
    "cases": (
        "amends.cases.cli:app+amends.recovery.cli:cases_app+amends.recovery.merge_cli:app",
        "Recovery cases.",
    ),
    "users": ("amends.people.cli:users_app", "People who use amends."),
    "people": (
        "amends.cases.cli:people_app",
        "Employees named in complaints: the statements they still owe.",
    ),
    "tokens": ("amends.people.cli:tokens_app", "Personal API tokens."),
    "teams": ("amends.people.cli:teams_app", "Teams: people who work together."),
    "audit": (
        "amends.audit.cli:app",
        "The audit log of sign-ins, access changes and money decisions.",
    ),
    "report": (
        "amends.reports.cli:report",
        "Recovery metrics: time to acknowledge, SLA, hand-offs, one-interaction fixes, outcomes.",
    ),
    "sweep": (
        "amends.recovery.cli:sweep",
        "Judge every promise past its deadline; each miss opens (or joins) a proactive case.",
    ),
    "deliveries": (
        "amends.commitments.cli:deliveries_app",
        "Deliveries: evidence that a promise was kept.",
    ),
    "commitments": (
        "amends.commitments.cli:commitments_app",
        "Commitments: what was promised to each customer.",
    ),
    "import": (
        "amends.intake.cli:import_app",
        "Import customers, commitments and deliveries from CSV files.",
    ),
    "intake": (
        "amends.intake.cli:intake_app",
        "Take in email: .eml files, maildir, mbox; retry quarantined mail.",
    ),
    "coach": (
        "amends.coach.cli:app",
        "The message coach: check a message for blame and excuses; draft one.",
    ),
    "patterns": (
        "amends.patterns.cli:app",
        "Systemic patterns across customers, and the themes to focus on.",
    ),
    "actions": (
        "amends.patterns.cli:actions_app",
        "Corrective actions: what we changed so it never happens again.",
    ),
    "outbox": (
        "amends.messages.cli:outbox_app",
        "The outbox: replies on their way; settle the ones perhaps sent.",
    ),
    "mail": (
        "amends.messages.channels_cli:app",
        "Mail channels: the SMTP server mail goes out through, the IMAP mailbox.",
    ),
    "compensation": (
        "amends.compensation.cli:app+amends.recovery.cli:compensation_app",
        "Compensation: the ledger of what was given and the revenue it kept.",
    ),
    "replies": (
        "amends.desk.cli:app",
        "Saved replies: your own and your team's snippets, coached when saved.",
    ),
    "surveys": (
        "amends.surveys.cli:app",
        "Satisfaction surveys after a recovery, and the advocates they find.",
    ),
    "winback": (
        "amends.winback.cli:app",
        "Win-back follow-ups to lost customers, and the watch list after a recovery.",
    ),
    "privacy": (
        "amends.privacy.cli:app",
        "A customer's personal data: export it as a zip, or erase it.",
    ),
    "backup": (
        "amends.backup.cli:backup",
        "Back up the database and the workspace's files into a new folder.",
    ),
    "restore": (
        "amends.backup.cli:restore",
        "Restore a backup folder into an empty workspace.",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the sub-command ``name`` from LAZY_COMMANDS and build its click command."""
    targets = LAZY_COMMANDS[name][0].split("+")
    found: list[Any] = []
    for target in targets:
        module_name, _, attr = target.partition(":")
        found.append(getattr(importlib.import_module(module_name), attr))
    obj = found[0]
    if len(found) > 1:
        obj = typer.Typer(help=LAZY_COMMANDS[name][1])
        for part in found:
            obj.registered_commands.extend(part.registered_commands)
    if isinstance(obj, typer.Typer):
        # A group, as add_typer would mount it (no completion options of its own).
        command: click.Command = typer.main.get_group(obj)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(obj)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _LazyGroup(typer.core.TyperGroup):
    """The root group: eager commands as usual, the LAZY_COMMANDS rows on demand."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in LAZY_COMMANDS if n not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY_COMMANDS:
            return found
        if self._listing:
            # Help only needs the name and the line of text, not the module.
            help_text = LAZY_COMMANDS[cmd_name][1]
            return typer.core.TyperCommand(cmd_name, help=help_text, short_help=help_text)
        command = load_command(cmd_name)
        self.commands[cmd_name] = command
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # Typer suggests near misses among loaded commands only; offer every one.
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            close = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if close and "Did you mean" not in error.message:
                names = ", ".join(repr(name) for name in close)
                error.message = f"{error.message.rstrip('.')}. Did you mean {names}?"
            raise

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="amends",
    help="amends — customer service recovery. Notice, own, fix, compensate, prevent, win back.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_LazyGroup,
)


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
    # Logging is set up from Settings.log_level when a command opens the workspace:
    # settings are read (and their errors reported) there, not before every --help.
    return


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
    if run_jobs:
        # Safe in every process: the schedule is claimed in the database, so several
        # servers and `amends worker` processes share the jobs instead of repeating them.
        _start_worker_thread(ws, stop)
    err.print(f"amends is serving on http://{host}:{port}  (API docs: /api/v1/docs)")
    # No access log: it costs a formatted line per request (the case list runs at
    # hundreds a second) and a reverse proxy in front records requests anyway.
    # uvloop and httptools come with uvicorn[standard] and are picked automatically.
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": ws.settings.log_level.lower(),
        "access_log": False,
    }
    try:
        if workers > 1:
            uvicorn.run("amends.app:create_app_from_env", factory=True, workers=workers, **options)
        else:
            uvicorn.run(create_app(ws.settings, engine=ws.engine), **options)
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
    """Run the periodic jobs (sweeps, outbox, housekeeping) on their schedules.

    Start as many as you like, on as many machines: each job runs once per schedule.
    """
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
    from amends.demo import SIGN_IN_FILE
    from amends.demo import load as demo_load

    ws = open_workspace()
    with ws.transaction() as session:
        fresh = not demo_load.has_data(session)
        if fresh:
            demo_load.write_playbook(ws.settings.home)
            password = demo_load.new_password()
            counts = demo_load.load(
                session,
                settings=ws.settings,
                now=ws.clock.now(),
                password=password,
                playbook=ws.playbook,
            )
    sign_ins: demo_load.DemoSignIns | None
    if fresh:
        sign_ins = demo_load.write_sign_in(ws.settings.home, password)
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        err.print(f"demo workspace created in {ws.settings.home.resolve()}: {summary}")
    else:
        sign_ins = demo_load.read_sign_in(ws.settings.home)
        if sign_ins is None:
            err.print("this workspace already has data and no demo sign-in; serving it as is")
    if sign_ins is not None:
        where = ws.settings.home.resolve() / SIGN_IN_FILE
        out.print(
            f"sign in at http://{host}:{port}/signin as any of these (kept in {where}):",
            soft_wrap=True,
        )
        out.print(sign_ins.describe(), markup=False, soft_wrap=True)
    if not no_serve:
        _serve(host=host, port=port, workers=1, run_jobs=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
