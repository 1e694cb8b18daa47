from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base, EnumText
from amends.people.rules import Role
from amends.text.address import GenderForm


class Team(Base):
    """People who work together (a shift, a language desk, a shop): "my team" in the
    inbox is the cases its members own."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]


class TeamMember(Base):
    """Who is in which team; a person is in one team at most."""

    __tablename__ = "team_members"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)


class User(Base):
    """A person of the business: owner, manager, agent, employee or viewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(EnumText(Role, 20))
    language: Mapped[str] = mapped_column(String(35), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # What colleagues and customers call them ("Nok", "Zuzka", "นก"): a complaint that
    # uses one names them (people.rules.named_in). None until someone sets them.
    nicknames: Mapped[list[str] | None] = mapped_column(JSON)
    # The grammatical gender drafts speak in for them (Thai "ดิฉัน"/"ผม", Slovak
    # "chcela"/"chcel"); None: not said, and drafts use words that need none.
    gender_form: Mapped[GenderForm | None] = mapped_column(EnumText(GenderForm, 10))


class ApiToken(Base):
    """A personal API token; only its SHA-256 is kept, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser; the cookie holds a random id whose hash is stored here."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInFailure(Base):
    """A failed (or still running) sign-in, kept for the sliding window that throttles
    guessing; in the database so every server counts the same attempts."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


class UserLimit(Base):
    """What this person may give as compensation without a manager, in one currency; it
    takes the place of the playbook's agent limit for them in that currency."""

    __tablename__ = "user_limits"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))


class AccessLink(Base):
    """A one-time link that lets a person choose their password: given to someone newly
    added, or to someone who forgot theirs. Only the token's hash is kept."""

    __tablename__ = "access_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
