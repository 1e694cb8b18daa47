from __future__ import annotations

import sys
from typing import Annotated

import typer

from amends.console import Json, ObjectId, emit_json, handle_errors, open_workspace, out
from amends.people import access, service
from amends.people.rules import OPERATOR, Role
from amends.people.schemas import TeamOut, TokenOut, UserOut
from amends.text import address

users_app = typer.Typer(help="People who use amends.")
tokens_app = typer.Typer(help="Personal API tokens.")
teams_app = typer.Typer(help="Teams: people who work together.")


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


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("new password", hide_input=True, confirmation_prompt=True))


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="read the password from stdin, not a prompt")
]


@users_app.command("set-password")
@handle_errors
def set_password(email: str, password_stdin: PasswordStdin = False) -> None:
    """Set a user's sign-in password (at least 10 characters); their sessions end."""
    password = _read_password(password_stdin)
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        service.set_password(
            session, actor=OPERATOR, user=user, password=password, now=ws.clock.now()
        )
        shown = user.email
    out.print(f"password set for {shown}; they can sign in at /signin")


# The name it had first; README examples and habits use it.
users_app.command("password", hidden=True)(set_password)


@users_app.command("set-role")
@handle_errors
def set_role(
    email: str,
    role: Annotated[Role, typer.Argument(help="owner, manager, agent, employee or viewer")],
    json_: Json = False,
) -> None:
    """Change what a user may do; it applies from their next request."""
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        service.set_role(session, actor=OPERATOR, user=user, role=role, now=ws.clock.now())
        result = UserOut.model_validate(user)
    if json_:
        emit_json(result)
    else:
        out.print(f"{result.email} is now {result.role}")


@users_app.command("set-nicknames")
@handle_errors
def set_nicknames(
    email: str,
    nicknames: Annotated[
        list[str] | None, typer.Argument(help="what people call them; none clears them")
    ] = None,
    json_: Json = False,
) -> None:
    """Set what colleagues and customers call a user ("Nok", "นก", "Zuzka"): a complaint
    that uses one of these names them."""
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        service.set_nicknames(
            session, actor=OPERATOR, user=user, nicknames=nicknames or [], now=ws.clock.now()
        )
        result = UserOut.model_validate(user)
    if json_:
        emit_json(result)
    else:
        shown = ", ".join(result.nicknames) or "none"
        out.print(f"{result.email} nicknames: {shown}", markup=False)


@users_app.command("set-gender-form")
@handle_errors
def set_gender_form(
    email: str,
    form: Annotated[str, typer.Argument(help="feminine, masculine, or none")],
    json_: Json = False,
) -> None:
    """Set the grammatical gender drafts speak in for a user: Thai drafts say "ดิฉัน" and
    "คะ" or "ผม" and "ครับ", Slovak ones "chcela" or "chcel"; none uses words that need no
    gender."""
    chosen = address.gender_form(form)
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        service.set_gender_form(session, actor=OPERATOR, user=user, form=chosen, now=ws.clock.now())
        result = UserOut.model_validate(user)
    if json_:
        emit_json(result)
    else:
        out.print(f"{result.email} drafts: {result.gender_form or 'without gender'}", markup=False)


@users_app.command("deactivate")
@handle_errors
def deactivate(email: str, json_: Json = False) -> None:
    """Take a user's access away: their sessions end and their tokens stop working now."""
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        service.deactivate(session, actor=OPERATOR, user=user, now=ws.clock.now())
        result = UserOut.model_validate(user)
    if json_:
        emit_json(result)
    else:
        out.print(f"deactivated {result.email}; their sessions and tokens no longer work")


@users_app.command("set-team")
@handle_errors
def set_team(
    email: str,
    team: Annotated[str | None, typer.Argument(help="the team's name")] = None,
    none: Annotated[bool, typer.Option("--none", help="take them out of any team")] = False,
    json_: Json = False,
) -> None:
    """Put a user in a team (out of any other); --none takes them out."""
    if (team is None) == (not none):
        raise typer.BadParameter("give a team's name, or --none")
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        chosen = service.team_named(session, team) if team is not None else None
        service.set_team(session, actor=OPERATOR, user=user, team=chosen, now=ws.clock.now())
        result = UserOut.model_validate(user)
    if json_:
        emit_json({"user": result.email, "team": team})
    else:
        out.print(f"{result.email} is in {team}" if team else f"{result.email} is in no team")


@teams_app.command("add")
@handle_errors
def add_team(name: str, json_: Json = False) -> None:
    """Add a team."""
    ws = open_workspace()
    with ws.transaction() as session:
        team = TeamOut.model_validate(
            service.create_team(session, actor=OPERATOR, name=name, now=ws.clock.now())
        )
    if json_:
        emit_json(team)
    else:
        out.print(f"added team {team.name} ({team.id})")


@teams_app.command("list")
@handle_errors
def list_teams(json_: Json = False) -> None:
    """List teams and who is in each."""
    ws = open_workspace()
    with ws.transaction() as session:
        users = service.list_users(session)
        members = service.teams_of(session, {u.id for u in users})
        teams = [TeamOut.model_validate(t) for t in service.list_teams(session)]
        emails = {t.id: [u.email for u in users if members.get(u.id) == t.id] for t in teams}
    for team in teams:
        if json_:
            emit_json({**team.model_dump(mode="json"), "members": emails[team.id]})
        else:
            out.print(f"{team.id:>4}  {team.name:<30} {', '.join(emails[team.id]) or '—'}")


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
            state = "" if row.active else "  (deactivated)"
            out.print(f"{row.id:>4}  {row.email:<40} {row.role:<9} {row.name}{state}")


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
        token = service.create_token(
            session, user=owner, name=name, now=ws.clock.now(), actor=OPERATOR
        )
    if json_:
        emit_json({"user": owner.email, "token": token})
    else:
        sys.stdout.write(token + "\n")


@tokens_app.command("list")
@handle_errors
def list_tokens(
    user: Annotated[str | None, typer.Option("--user", help="only this user's (email)")] = None,
    json_: Json = False,
) -> None:
    """List API tokens (never the tokens themselves: their first characters)."""
    ws = open_workspace()
    with ws.transaction() as session:
        user_id = service.user_by_email(session, user).id if user else None
        rows = [
            TokenOut.of(token, email)
            for token, email in service.list_tokens(session, user_id=user_id)
        ]
    for row in rows:
        if json_:
            emit_json(row)
            continue
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else used
        line = f"{row.id:>4}  {row.prefix}…  {row.user:<32} {row.name:<16} {state}"
        out.print(line, markup=False, soft_wrap=True)


@tokens_app.command("revoke")
@handle_errors
def revoke_token(token_id: ObjectId, json_: Json = False) -> None:
    """Revoke a token by its id (from `amends tokens list`): it stops working at once."""
    ws = open_workspace()
    with ws.transaction() as session:
        token = service.revoke_token(session, actor=OPERATOR, token_id=token_id, now=ws.clock.now())
        holder = service.get_user(session, token.user_id).email
        result = TokenOut.of(token, holder)
    if json_:
        emit_json(result)
    else:
        out.print(f"revoked token {result.id} ({result.prefix}…) of {result.user}")


@users_app.command("set-language")
@handle_errors
def set_language(
    email: str,
    language: Annotated[str, typer.Argument(help="en, th, sk or el")],
    json_: Json = False,
) -> None:
    """The language a user reads the interface in."""
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        access.set_user_language(
            session, actor=OPERATOR, user=user, language=language, now=ws.clock.now()
        )
        result = UserOut.model_validate(user)
    if json_:
        emit_json(result)
    else:
        out.print(f"{result.email} reads amends in {result.language}")


@users_app.command("set-limit")
@handle_errors
def set_limit(
    email: str,
    currency: Annotated[str, typer.Argument(help="ISO 4217 code, e.g. EUR")],
    amount: Annotated[str | None, typer.Argument(help="the most they give without asking")] = None,
    none: Annotated[bool, typer.Option("--none", help="remove it: the playbook's applies")] = False,
    json_: Json = False,
) -> None:
    """What a user may give as compensation in one currency without a manager."""
    if (amount is None) == (not none):
        raise typer.BadParameter("give an amount, or --none")
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        access.set_limit(
            session, actor=OPERATOR, user=user, currency=currency, amount=amount, now=ws.clock.now()
        )
        limits = access.limits_of(session, {user.id}).get(user.id, {})
    if json_:
        emit_json({"user": user.email, "limits": {k: str(v) for k, v in limits.items()}})
    else:
        shown = ", ".join(f"{v} {k}" for k, v in sorted(limits.items())) or "the playbook's"
        out.print(f"{user.email} may give without asking: {shown}")


@users_app.command("link")
@handle_errors
def access_link(email: str, json_: Json = False) -> None:
    """A one-time link for the user to choose a password (new colleague, forgotten
    password); it works once, for 72 hours, under AMENDS_BASE_URL."""
    ws = open_workspace()
    with ws.transaction() as session:
        user = service.user_by_email(session, email)
        now = ws.clock.now()
        token = access.issue_link(session, actor=OPERATOR, user=user, now=now)
    url = f"{ws.settings.base_url.rstrip('/')}/welcome/{token}"
    if json_:
        emit_json({"user": user.email, "url": url, "expires_at": now + access.LINK_LIFETIME})
    else:
        out.print(f"one-time link for {user.email} (works once, for 72 hours):\n{url}")
