"""`amends mail`: show and save the mail channels (SMTP sends, IMAP reads), as the
settings page does. A password is read from standard input or a hidden prompt, never
from the command line (where other users' `ps` and the shell's history would see it)."""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import typer

from amends.console import Json, emit_json, handle_errors, open_workspace, out
from amends.messages import channels
from amends.messages.schemas import MailChannelOut
from amends.people.rules import OPERATOR

app = typer.Typer(help="Mail channels: the SMTP server mail goes out through, the IMAP mailbox.")
KindArg = Annotated[
    Literal["smtp", "imap"], typer.Argument(help="smtp (sending) or imap (reading)")
]


def _print(row: MailChannelOut) -> None:
    source = "saved in amends" if row.source == "saved" else "from the environment"
    out.print(f"{row.kind} ({source})", markup=False)
    out.print(f"  server    {row.host}:{row.port}", markup=False)
    out.print(f"  user      {row.user or '-'}", markup=False)
    out.print(f"  password  {'set' if row.password_set else 'not set'}", markup=False)
    tls = "STARTTLS" if row.kind == "smtp" else "TLS (SSL)"
    out.print(f"  {tls:<9} {'yes' if row.tls else 'no'}", markup=False)
    if row.kind == "imap":
        out.print(f"  folder    {row.folder}", markup=False)
    else:
        out.print(f"  timeout   {row.timeout:g} s", markup=False)


@app.command("show")
@handle_errors
def show(
    kind: Annotated[
        Literal["smtp", "imap"] | None, typer.Argument(help="smtp or imap; both if omitted")
    ] = None,
    json_: Json = False,
) -> None:
    """Show the mail settings in effect (never a password: only whether one is set)."""
    ws = open_workspace()
    with ws.transaction() as session:
        rows = [
            MailChannelOut.of(channels.view(session, ws.settings, each))
            for each in ((kind,) if kind else channels.KINDS)
        ]
    for row in rows:
        emit_json(row) if json_ else _print(row)


@app.command("set")
@handle_errors
def set_channel(
    kind: KindArg,
    host: Annotated[str | None, typer.Option(help="the server's host name")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535)] = None,
    user: Annotated[str | None, typer.Option(help="sign in as; empty for none")] = None,
    tls: Annotated[
        bool | None, typer.Option("--tls/--no-tls", help="SMTP: STARTTLS; IMAP: TLS (SSL)")
    ] = None,
    folder: Annotated[str | None, typer.Option(help="IMAP: the folder to read")] = None,
    timeout: Annotated[float | None, typer.Option(min=1, max=600, help="SMTP: seconds")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    ask_password: Annotated[
        bool, typer.Option("--ask-password", help="ask for the password, hidden")
    ] = False,
    clear_password: Annotated[
        bool, typer.Option("--clear-password", help="remove the password")
    ] = False,
    json_: Json = False,
) -> None:
    """Save a channel's settings over the environment's; options left out keep what is in
    effect. Every server and worker uses them from its next send or poll. Audited."""
    password = ""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif ask_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    ws = open_workspace()
    with ws.transaction() as session:
        now = channels.view(session, ws.settings, kind)
        change = channels.ChannelChange(
            host=now.host if host is None else host,
            port=now.port if port is None else port,
            user=now.user if user is None else user,
            tls=now.tls if tls is None else tls,
            password=password,
            clear_password=clear_password,
            folder=(now.folder or "INBOX") if folder is None else folder,
            timeout=now.timeout if timeout is None else timeout,
        )
        row = MailChannelOut.of(
            channels.save(
                session, ws.settings, actor=OPERATOR, kind=kind, change=change, now=ws.clock.now()
            )
        )
    if json_:
        emit_json(row)
        return
    _print(row)
