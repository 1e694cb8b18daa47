"""What a manager sets for each person beyond their role: the compensation they may give
without asking, the interface language, and one-time links to choose a password.

A link is how a new colleague gets in, and how someone who forgot their password gets
back in, without a manager ever knowing or typing that password: the manager passes the
link on; it works once, for ``LINK_LIFETIME``, and only its hash is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from amends.errors import N_, InvalidInput, NotFound
from amends.fields import CURRENCIES
from amends.people import service
from amends.people.models import AccessLink, User, UserLimit, WebSession
from amends.people.rules import Action, Actor

LINK_LIFETIME = timedelta(hours=72)
LINK_PREFIX = "amw_"  # visible, so a link pasted in the wrong place is recognised
MAX_LIMIT = Decimal("1000000000")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _currency(code: str) -> str:
    found = code.strip().upper()
    if found not in CURRENCIES:
        raise InvalidInput.saying(
            N_("%(value)s is not an ISO 4217 currency code"), code="currency", value=code
        )
    return found


def limits_of(session: Session, user_ids: set[int]) -> dict[int, dict[str, Decimal]]:
    """Each person's own limits, by currency."""
    found: dict[int, dict[str, Decimal]] = {}
    if not user_ids:
        return found
    rows = session.scalars(select(UserLimit).where(UserLimit.user_id.in_(user_ids)))
    for row in rows:
        found.setdefault(row.user_id, {})[row.currency] = row.amount
    return found


def limit_of(session: Session, user_id: int | None, currency: str) -> Decimal | None:
    """This person's own limit in ``currency``, or None when the playbook's applies."""
    if user_id is None:
        return None
    return session.scalar(
        select(UserLimit.amount).where(UserLimit.user_id == user_id, UserLimit.currency == currency)
    )


def set_limit(
    session: Session,
    *,
    actor: Actor,
    user: User,
    currency: str,
    amount: Decimal | str | None,
    now: datetime,
) -> None:
    """Set (or, with None, remove) what ``user`` may give in ``currency`` without a
    manager. A manager's decision, audited with the amount before and after."""
    service.require(actor, Action.MANAGE)
    code = _currency(currency)
    value: Decimal | None = None
    if amount is not None and str(amount).strip() != "":
        try:
            value = Decimal(str(amount).strip())
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not 0 <= value < MAX_LIMIT:
            raise InvalidInput.saying(
                N_("a limit is an amount of zero or more"), code="limit-amount"
            )
        value = value.quantize(Decimal("0.01"))
    before = limit_of(session, user.id, code)
    session.execute(
        delete(UserLimit).where(UserLimit.user_id == user.id, UserLimit.currency == code)
    )
    if value is not None:
        session.add(UserLimit(user_id=user.id, currency=code, amount=value))
    service.audit_user(
        session,
        actor,
        "user.limit-set",
        user,
        {
            "currency": code,
            "from": "" if before is None else str(before),
            "to": "" if value is None else str(value),
        },
        now,
    )


def set_user_language(
    session: Session, *, actor: Actor, user: User, language: str, now: datetime
) -> User:
    """A manager sets the language someone reads the interface in (anyone may set their
    own from the header)."""
    service.require(actor, Action.MANAGE)
    before = user.language
    service.set_language(session, user.id, language)
    service.audit_user(
        session, actor, "user.language-set", user, {"from": before, "to": user.language}, now
    )
    return user


def issue_link(session: Session, *, actor: Actor, user: User, now: datetime) -> str:
    """A new one-time link token for ``user``; earlier unused ones stop working. Giving
    one to someone else is a manager's, as changing their password is."""
    if actor.user_id != user.id:
        service.require(actor, Action.MANAGE)
        service.may_change(session, actor, user, user.role)
    if not user.active:
        raise InvalidInput.saying(
            N_("%(name)s is deactivated and cannot be given a link"),
            code="user-inactive",
            name=user.name,
        )
    session.execute(
        update(AccessLink)
        .where(AccessLink.user_id == user.id, AccessLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = LINK_PREFIX + secrets.token_urlsafe(32)
    session.add(
        AccessLink(
            user_id=user.id, token_hash=_hash(token), created_at=now, expires_at=now + LINK_LIFETIME
        )
    )
    service.audit_user(session, actor, "user.link-issued", user, {}, now)
    return token


def _usable(session: Session, token: str, now: datetime) -> tuple[AccessLink, User]:
    link = session.scalar(select(AccessLink).where(AccessLink.token_hash == _hash(token)))
    user = session.get(User, link.user_id) if link is not None else None
    if link is None or user is None or link.used_at is not None or link.expires_at <= now:
        # One answer for unknown, used and expired: a link reveals nothing about others.
        raise NotFound.saying(
            N_("this link has been used or has expired; ask your manager for a new one"),
            code="link-unusable",
        )
    if not user.active:
        raise NotFound.saying(
            N_("this link has been used or has expired; ask your manager for a new one"),
            code="link-unusable",
        )
    return link, user


def link_holder(session: Session, token: str, *, now: datetime) -> User:
    """Whose link this is, while it can still be used."""
    return _usable(session, token, now)[1]


def redeem_link(session: Session, token: str, *, password: str, now: datetime) -> tuple[str, User]:
    """Choose a password with a link: the link is spent, the person's other sessions end,
    and a browser session is opened for them (its cookie value is returned)."""
    link, user = _usable(session, token, now)
    service.check_new_password(password)
    user.password_hash = service.hash_password(password)
    link.used_at = now
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    cookie = service.open_web_session(session, user, now=now)
    service.audit_user(session, service.actor_for(user), "user.password-set-by-link", user, {}, now)
    return cookie, user
