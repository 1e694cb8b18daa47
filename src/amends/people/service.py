"""Users, API tokens and browser sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.db import write_if_free
from amends.errors import (
    N_,
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)
from amends.people import passwords
from amends.people.models import ApiToken, SignInFailure, Team, TeamMember, User, WebSession
from amends.people.rules import (
    FAILURES_PER_ADDRESS,
    FAILURES_PER_CLIENT,
    SIGN_IN_WINDOW,
    Action,
    Actor,
    Role,
    access_change_refusal,
    blocked_until,
    clean_nicknames,
)
from amends.text.address import GenderForm
from amends.text.languages import spoken

TOKEN_PREFIX = "amd_"  # noqa: S105 - a visible prefix, not a secret
SESSION_LIFETIME = timedelta(days=14)
TEAM_NAME_MAX = 100
hash_password = passwords.hash_password
verify_password = passwords.verify_password


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.role, user.name)


def require(actor: Actor, action: Action) -> None:
    if not actor.allows(action):
        raise Forbidden(f"your role ({actor.role.value}) may not {action.value} here")


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    now: datetime,
    password: str | None = None,
    language: str = "en",
    actor: Actor | None = None,
    password_hash: str | None = None,
) -> User:
    """Add a person; ``password_hash`` is one already made (demo users share one)."""
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with the email {email} already exists", code="user-exists")
    if password is not None:
        check_new_password(password)
    user = User(
        email=email,
        name=name,
        role=role,
        language=language,
        password_hash=hash_password(password) if password else password_hash,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor_id=actor.user_id if actor else None,
        action="user.created",
        subject=f"user:{user.id}",
        detail={"email": email, "role": role.value},
        now=now,
    )
    return user


def check_new_password(password: str) -> None:
    if len(password) < 10:
        raise InvalidInput("a password needs at least 10 characters", code="password-too-short")


def _owners_besides(session: Session, user_id: int) -> int:
    query = select(func.count(User.id)).where(
        User.role == Role.OWNER, User.active, User.id != user_id
    )
    return int(session.scalar(query) or 0)


def may_change(session: Session, actor: Actor, user: User, new_role: Role | None) -> None:
    refusal = access_change_refusal(
        actor,
        target_id=user.id,
        target_role=user.role,
        new_role=new_role,
        owners_left=_owners_besides(session, user.id) if user.role is Role.OWNER else 1,
    )
    if refusal:
        raise Forbidden.saying(refusal, code="access-change-refused")


def set_password(
    session: Session, *, actor: Actor, user: User, password: str, now: datetime
) -> None:
    """Give ``user`` a new sign-in password and end their browser sessions. Anyone may
    change their own; changing another's is a manager's (an owner's, an owner's)."""
    if actor.user_id != user.id:
        may_change(session, actor, user, user.role)
    check_new_password(password)
    user.password_hash = hash_password(password)
    # Whoever knew the old password may still hold a session made with it.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit_user(session, actor, "user.password-set", user, {}, now)


def set_role(session: Session, *, actor: Actor, user: User, role: Role, now: datetime) -> User:
    """Change what ``user`` may do; effective on their next request."""
    may_change(session, actor, user, role)
    before = user.role
    user.role = role
    audit_user(
        session, actor, "user.role-changed", user, {"from": before.value, "to": role.value}, now
    )
    return user


def deactivate(session: Session, *, actor: Actor, user: User, now: datetime) -> User:
    """Take away ``user``'s access: their sessions end now and their tokens stop working
    (every request checks that the user is active)."""
    may_change(session, actor, user, None)
    user.active = False
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit_user(session, actor, "user.deactivated", user, {}, now)
    return user


def set_nicknames(
    session: Session, *, actor: Actor, user: User, nicknames: list[str], now: datetime
) -> User:
    """What colleagues and customers call ``user``; a complaint using one names them.
    Their own, or anyone's for those who manage people."""
    if actor.user_id != user.id:
        require(actor, Action.MANAGE)
    kept = clean_nicknames(nicknames)
    user.nicknames = kept or None
    audit_user(session, actor, "user.nicknames-set", user, {"nicknames": ", ".join(kept)}, now)
    return user


def set_gender_form(
    session: Session, *, actor: Actor, user: User, form: GenderForm | None, now: datetime
) -> User:
    """The grammatical gender drafts speak in for ``user`` (None: not said, and drafts use
    words that need none). Their own, or anyone's for those who manage people."""
    if actor.user_id != user.id:
        require(actor, Action.MANAGE)
    user.gender_form = form
    audit_user(session, actor, "user.form-set", user, {"form": form.value if form else ""}, now)
    return user


def audit_user(
    session: Session, actor: Actor, action: str, user: User, detail: dict[str, str], now: datetime
) -> None:
    detail = {"email": user.email, **detail}
    audit.record(
        session,
        actor_id=actor.user_id,
        action=action,
        subject=f"user:{user.id}",
        detail=detail,
        now=now,
    )
    session.flush()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist", code="user-not-found")
    return user


def user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user with the email {email}", code="user-not-found")
    return user


def acting_as(session: Session, email: str | None, *, operator: str = "") -> Actor:
    """The named user a command acts as: ``--as EMAIL``, else the workspace's configured
    operator (``AMENDS_OPERATOR``). Changing a case with nobody named is refused, so every
    grant and every step on the timeline says who did it."""
    chosen = email or operator
    if not chosen:
        raise InvalidInput(
            "say who is acting: --as EMAIL, or set AMENDS_OPERATOR to your email",
            code="actor-required",
        )
    user = user_by_email(session, chosen)
    if not user.active:
        raise Forbidden(f"{user.email} is deactivated and cannot act")
    return actor_for(user)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


# -- teams ---------------------------------------------------------------------------------


def create_team(session: Session, *, actor: Actor, name: str, now: datetime) -> Team:
    """A new team (owners and managers); names are unique, compared as written."""
    require(actor, Action.MANAGE)
    name = " ".join(name.split())
    if not name or len(name) > TEAM_NAME_MAX:
        raise InvalidInput.saying(
            N_("a team needs a name of 1 to %(most)s characters"),
            code="team-name",
            most=TEAM_NAME_MAX,
        )
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise Conflict.saying(
            N_("there is already a team called %(name)s"), code="team-exists", name=name
        )
    team = Team(name=name, created_at=now)
    session.add(team)
    session.flush()
    audit.record(
        session,
        actor_id=actor.user_id,
        action="team.created",
        subject=f"team:{team.id}",
        detail={"name": name},
        now=now,
    )
    return team


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def team_named(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == " ".join(name.split())))
    if team is None:
        raise NotFound.saying(N_("no team called %(name)s"), code="no-such-team", name=name)
    return team


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound.saying(N_("no team %(id)s"), code="no-such-team", id=team_id)
    return team


def members_of(session: Session, team_id: int) -> list[int]:
    """The ids of the people in a team (none when the team does not exist)."""
    column = TeamMember.__table__.c
    return list(
        session.scalars(
            select(column.user_id).where(column.team_id == team_id).order_by(column.user_id)
        )
    )


def teams_of(session: Session, user_ids: set[int]) -> dict[int, int]:
    """user id -> team id, for those of ``user_ids`` who are in a team."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(TeamMember.user_id, TeamMember.team_id).where(TeamMember.user_id.in_(user_ids))
    )
    return {row.user_id: row.team_id for row in rows}


def set_team(
    session: Session, *, actor: Actor, user: User, team: Team | None, now: datetime
) -> User:
    """Put ``user`` in ``team`` (out of any other), or in none (owners and managers)."""
    require(actor, Action.MANAGE)
    member = session.get(TeamMember, user.id)
    before = member.team_id if member is not None else None
    if team is None:
        if member is not None:
            session.delete(member)
    elif member is None:
        session.add(TeamMember(user_id=user.id, team_id=team.id))
    else:
        member.team_id = team.id
    session.flush()
    moved = {
        "from": "" if before is None else str(before),
        "to": "" if team is None else str(team.id),
    }
    audit_user(session, actor, "user.team-set", user, moved, now)
    return user


def create_token(
    session: Session, *, user: User, name: str, now: datetime, actor: Actor | None = None
) -> str:
    """Create a personal API token and return it; it cannot be shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=name, token_hash=_sha256(token), prefix=token[:10], created_at=now
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=actor.user_id if actor else None,
        action="token.created",
        subject=f"token:{row.id}",
        detail={"user": user.email, "name": name, "prefix": row.prefix},
        now=now,
    )
    return token


def list_tokens(
    session: Session, *, user_id: int | None = None, include_revoked: bool = True
) -> list[tuple[ApiToken, str]]:
    """Tokens with their user's email, oldest first; one user's when ``user_id`` is given."""
    query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return [(token, email) for token, email in session.execute(query.order_by(ApiToken.id))]


def revoke_token(session: Session, *, actor: Actor, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token: the next request with it is refused. Your own, or anyone's with
    the right to manage people; an owner's only by an owner."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"token {token_id} does not exist", code="token-not-found")
    if actor.user_id != token.user_id:
        holder = session.get(User, token.user_id)
        assert holder is not None  # the foreign key cascades
        if not actor.allows(Action.MANAGE):
            # Someone else's token is not theirs to see either.
            raise NotFound(f"token {token_id} does not exist", code="token-not-found")
        may_change(session, actor, holder, holder.role)
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record(
            session,
            actor_id=actor.user_id,
            action="token.revoked",
            subject=f"token:{token.id}",
            detail={"prefix": token.prefix, "user_id": token.user_id},
            now=now,
        )
    session.flush()
    return token


_TOKEN_LOOKUP = (
    select(ApiToken.id, ApiToken.revoked_at, ApiToken.last_used_at, User.id, User.role)
    .add_columns(User.name, User.active)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def authenticate_token(session: Session, token: str, *, now: datetime) -> Actor:
    """Who a personal API token speaks for; refused when unknown, revoked or deactivated.

    Every API request asks this, so it is one indexed lookup on plain columns (no ORM
    objects) and it writes only when the last-used time is a minute stale, and then only
    if the write lock is free, so a read never waits behind another writer. Nothing is
    cached across requests: a revoked token stops working at once.
    """
    found = session.connection().execute(_TOKEN_LOOKUP, {"token_hash": _sha256(token)}).first()
    if found is None or found.revoked_at is not None:
        raise NotAuthenticated("the API token is unknown or revoked", code="token-invalid")
    token_id, _revoked, last_used, user_id, role, name, active = found
    if not active:
        raise NotAuthenticated("the token's user is deactivated", code="user-inactive")
    # Writing on every call would serialise readers on SQLite; a minute's precision is enough.
    if last_used is None or now - last_used > timedelta(minutes=1):
        write_if_free(
            session, update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
        )
    return Actor(user_id, role, name)


@dataclass(frozen=True)
class Attempt:
    """A sign-in under way: counted as a failure until the password proves it right."""

    failure_id: int
    email: str
    client: str
    user_id: int | None
    stored_hash: str | None


@dataclass(frozen=True)
class Checked:
    ok: bool
    new_hash: str | None  # the password hashed at today's cost, when the stored one is older


def _blocked_until(
    session: Session, email: str, client: str, now: datetime, own_id: int
) -> datetime | None:
    since = now - SIGN_IN_WINDOW
    recent = select(SignInFailure.at).where(SignInFailure.at > since, SignInFailure.id != own_id)
    by_email = list(session.scalars(recent.where(SignInFailure.email == email)))
    by_client = list(session.scalars(recent.where(SignInFailure.client == client)))
    limits = [
        blocked_until(by_email, limit=FAILURES_PER_ADDRESS, window=SIGN_IN_WINDOW, now=now),
        blocked_until(by_client, limit=FAILURES_PER_CLIENT, window=SIGN_IN_WINDOW, now=now),
    ]
    found = [until for until in limits if until is not None]
    return max(found) if found else None


def _one_at_a_time(session: Session, email: str) -> None:
    # Parallel guesses at one address must see each other's attempts. On SQLite the
    # insert below already holds the database's write lock; PostgreSQL locks rows, so
    # take a transaction lock named after the address.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(email))))


def begin_sign_in(session: Session, *, email: str, client: str, now: datetime) -> Attempt:
    """Refuse (TooManyAttempts) while the address or the client has too many recent
    failures; else record this attempt as a failure and say whose hash to check.

    Commit this before checking the password: parallel guesses then see each other,
    and no lock is held during the slow hash.
    """
    email, client = email.strip().lower()[:254], (client or "unknown")[:64]
    _one_at_a_time(session, email)
    # Written before counting, so the count comes after the write lock (SQLite); a
    # refusal raises and rolls it back, so waiting it out is not prolonged by retries.
    failure = SignInFailure(email=email, client=client, at=now)
    session.add(failure)
    session.flush()
    until = _blocked_until(session, email, client, now, failure.id)
    if until is not None:
        raise TooManyAttempts.saying(
            N_("Too many failed sign-ins. Please try again after %(time)s."),
            code="sign-in-throttled",
            fmt={"time": "when"},
            time=until.isoformat(),
            retry_after=max(1, int((until - now).total_seconds())),
        )
    found = session.execute(
        select(User.id, User.password_hash).where(User.email == email, User.active)
    ).first()
    user_id, stored = (found[0], found[1]) if found else (None, None)
    return Attempt(failure.id, email, client, user_id, stored)


def check_password(attempt: Attempt, password: str) -> Checked:
    """The slow part, outside any transaction: one scrypt derivation whether or not the
    user exists (a dummy hash stands in), and one more to rehash an older hash."""
    ok = passwords.verify_password(password, attempt.stored_hash) and attempt.user_id is not None
    rehash = ok and passwords.needs_rehash(attempt.stored_hash)
    return Checked(ok, passwords.hash_password(password) if rehash else None)


def finish_sign_in(
    session: Session, attempt: Attempt, checked: Checked, *, now: datetime
) -> tuple[str, User]:
    """Open a browser session (the cookie value is returned) and forget the address's
    failures; or record the failure in the audit log and raise NotAuthenticated. The
    caller commits in both cases: the failure rows are what throttles the next guess."""
    user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
    # The hash must still be the one checked: a password changed meanwhile wins.
    if (
        not checked.ok
        or user is None
        or not user.active
        or user.password_hash != attempt.stored_hash
    ):
        audit.record(
            session,
            actor_id=None,
            action="sign-in.failed",
            subject=attempt.email,
            detail={"client": attempt.client},
            now=now,
        )
        # The same message for "no such user" and "wrong password" so sign-in reveals nothing.
        raise NotAuthenticated("the email or password is not right", code="sign-in-failed")
    session.execute(delete(SignInFailure).where(SignInFailure.email == attempt.email))
    if checked.new_hash is not None:
        user.password_hash = checked.new_hash
    token = open_web_session(session, user, now=now)
    audit.record(
        session,
        actor_id=user.id,
        action="sign-in",
        subject=f"user:{user.id}",
        detail={"client": attempt.client, "rehashed": checked.new_hash is not None},
        now=now,
    )
    session.flush()
    return token, user


def open_web_session(session: Session, user: User, *, now: datetime) -> str:
    """A new browser session for ``user``; the cookie value is returned, its hash kept."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            user_id=user.id,
            token_hash=_sha256(token),
            csrf_token=secrets.token_urlsafe(24),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


def sign_in(
    session: Session, *, email: str, password: str, now: datetime, client: str = "local"
) -> tuple[str, User]:
    """The three steps in one transaction, for callers with no lock to spare a thought
    for (commands, tests); the sign-in page commits between them."""
    attempt = begin_sign_in(session, email=email, client=client, now=now)
    return finish_sign_in(session, attempt, check_password(attempt, password), now=now)


def web_session(session: Session, token: str, *, now: datetime) -> tuple[WebSession, User]:
    # One query for both: every page and API call asks this first.
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _sha256(token))
    ).first()
    if found is None or found[0].expires_at <= now:
        raise NotAuthenticated("your session has ended; sign in again", code="session-expired")
    row, user = found
    if not user.active:
        raise NotAuthenticated("your account is deactivated", code="user-inactive")
    return row, user


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _sha256(token)))


def purge_expired_sessions(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    # Failed sign-ins matter only inside the throttling window.
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - SIGN_IN_WINDOW))
    return int(getattr(result, "rowcount", 0) or 0)


def set_language(session: Session, user_id: int, language: str) -> User:
    """The language a user reads the interface in; only one the interface speaks."""
    code = spoken(language)
    if code is None or code != language.strip().lower():
        raise InvalidInput(f"{language!r} is not a language of the interface", code="language")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist", code="user-not-found")
    user.language = code
    return user
