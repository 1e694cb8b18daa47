from __future__ import annotations

import sys
from typing import Annotated

import typer

from amends.console import emit_json, handle_errors, open_workspace, out
from amends.people import service
from amends.people.rules import Role
from amends.people.schemas import UserOut

users_app = typer.Typer(help="People who use amends.")
tokens_app = typer.Typer(help="Personal API tokens.")


@users_app.command("add")
@handle_errors
def add_user(
    email: str,
    name: Annotated[str, typer.Option(help="full name")],
    role: Annotated[Role, typer.Option(help="owner, manager, agent, employee or viewer")],
    language: Annotated[str, typer.Option(help="interface language")] = "en",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read a sign-in password from stdin")
    ] = False,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a user; with --password-stdin they can also sign in to the pages."""
    from amends.fields import clean_email

    try:
        email = clean_email(email)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="EMAIL") from None
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.create_user(
            session,
            email=email,
            name=name,
            role=role,
            now=ws.clock.now(),
            password=password,
            language=language,
        )
        result = UserOut.model_validate(user)
    if json_:
        emit_json(result)
    else:
        out.print(f"added {result.email} ({result.role}) as user {result.id}")


@users_app.command("password")
@handle_errors
def set_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin, not a prompt")
    ] = False,
) -> None:
    """Set a user's sign-in password (at least 10 characters); their sessions end."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        service.set_password(session, user=user, password=password)
        shown = user.email
    out.print(f"password set for {shown}; they can sign in at /signin")


@users_app.command("list")
@handle_errors
def list_users(json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users."""
    ws = open_workspace()
    with ws.transaction() as session:
        rows = [UserOut.model_validate(u) for u in service.list_users(session)]
    for row in rows:
        if json_:
            emit_json(row)
        else:
            out.print(f"{row.id:>4}  {row.email:<40} {row.role:<9} {row.name}")


@tokens_app.command("create")
@handle_errors
def create_token(
    user: Annotated[str, typer.Option("--user", help="the user's email")],
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a personal API token; it is printed once and cannot be shown again."""
    ws = open_workspace()
    with ws.transaction() as session:
        owner = service.user_by_email(session, user)
        token = service.create_token(session, user=owner, name=name, now=ws.clock.now())
    if json_:
        emit_json({"user": owner.email, "token": token})
    else:
        sys.stdout.write(token + "\n")
