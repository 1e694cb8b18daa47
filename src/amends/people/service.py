"""Users, API tokens and browser sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from amends.db import write_if_free
from amends.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from amends.people.models import ApiToken, User, WebSession
from amends.people.rules import Action, Actor, Role
from amends.text.languages import spoken

TOKEN_PREFIX = "amd_"  # noqa: S105 - a visible prefix, not a secret
SESSION_LIFETIME = timedelta(days=14)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str) -> str:
    """scrypt with a random salt; the parameters travel with the hash so they can change."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=8, p=1, dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


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
) -> User:
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with the email {email} already exists", code="user-exists")
    if password is not None:
        _check_password(password)
    user = User(
        email=email,
        name=name,
        role=role,
        language=language,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise InvalidInput("a password needs at least 10 characters", code="password-too-short")


def set_password(session: Session, *, user: User, password: str) -> None:
    """Give ``user`` a new sign-in password and end their browser sessions."""
    _check_password(password)
    user.password_hash = hash_password(password)
    # Whoever knew the old password may still hold a session made with it.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
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


def create_token(session: Session, *, user: User, name: str, now: datetime) -> str:
    """Create a personal API token and return it; it cannot be shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            token_hash=_sha256(token),
            prefix=token[:10],
            created_at=now,
        )
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


def sign_in(session: Session, *, email: str, password: str, now: datetime) -> tuple[str, User]:
    """Check the password and open a browser session; returns the cookie value."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    # The same message for "no such user" and "wrong password" so sign-in reveals nothing.
    if user is None or not user.active or not verify_password(password, user.password_hash):
        raise NotAuthenticated("the email or password is not right", code="sign-in-failed")
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
    session.flush()
    return token, user


def web_session(session: Session, token: str, *, now: datetime) -> tuple[WebSession, User]:
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _sha256(token)))
    if row is None or row.expires_at <= now:
        raise NotAuthenticated("your session has ended; sign in again", code="session-expired")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise NotAuthenticated("your account is deactivated", code="user-inactive")
    return row, user


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _sha256(token)))


def purge_expired_sessions(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(WebSession).where(WebSession.expires_at <= now))
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
