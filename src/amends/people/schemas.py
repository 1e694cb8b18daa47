from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from amends.fields import MAX_DB_INT, Line, clean_line
from amends.people.rules import Role
from amends.text.address import GenderForm

if TYPE_CHECKING:
    from amends.people.models import ApiToken


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    language: str
    active: bool
    created_at: datetime
    nicknames: list[str] = []
    # The grammatical gender drafts speak in for them; null: not said.
    gender_form: GenderForm | None = None

    @field_validator("nicknames", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value


class NicknamesIn(BaseModel):
    """What colleagues and customers call the person; an empty list clears them."""

    nicknames: list[Line] = Field(max_length=50)


class GenderFormIn(BaseModel):
    """The grammatical gender drafts speak in for the person (Thai "ดิฉัน"/"ผม" and its
    particle, Slovak "chcela"/"chcel"); null clears it, and drafts then use words that
    need no gender."""

    model_config = ConfigDict(extra="forbid")

    gender_form: GenderForm | None


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime


class TeamIn(BaseModel):
    # One line without control characters: a NUL is refused here (PostgreSQL cannot hold
    # one in text), not met as a server error when the name is looked up.
    name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(clean_line)]


class TeamChoice(BaseModel):
    """The team a user is in; null takes them out of any."""

    team_id: int | None = Field(default=None, ge=1, le=MAX_DB_INT)


class TokenOut(BaseModel):
    """A personal API token as listed: never the token, only its first characters."""

    id: int
    user_id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken, email: str) -> TokenOut:
        return cls(
            id=token.id,
            user_id=token.user_id,
            user=email,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class RoleIn(BaseModel):
    role: Role


class PasswordIn(BaseModel):
    password: str = Field(min_length=1, max_length=1000)
    # Required when changing your own: a stolen session or token alone is not enough.
    current_password: str | None = Field(default=None, max_length=1000)


class LanguageIn(BaseModel):
    language: str = Field(min_length=2, max_length=35)


class LimitIn(BaseModel):
    """What the user may give in this currency without a manager; null removes it."""

    amount: Decimal | None = Field(default=None, ge=0, lt=1_000_000_000, decimal_places=2)


class LimitsOut(BaseModel):
    user_id: int
    limits: dict[str, Decimal]


class AccessLinkOut(BaseModel):
    """A one-time link to choose a password; shown once, works once."""

    url: str
    expires_at: datetime


class TokenIn(BaseModel):
    user_id: int = Field(strict=True, ge=1, le=MAX_DB_INT)
    name: str = Field(min_length=1, max_length=200)


class NewTokenOut(BaseModel):
    """The token itself, shown only in this answer."""

    id: int
    token: str
