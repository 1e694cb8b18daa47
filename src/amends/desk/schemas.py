"""Shapes of saved replies and presence for the API and ``--json``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from amends.desk.rules import LANGUAGES, TEXT_MAX, TITLE_MAX
from amends.fields import MAX_DB_INT, Line, Text


class SavedReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line = Field(max_length=TITLE_MAX)
    text: Text = Field(min_length=1, max_length=TEXT_MAX)
    language: str = Field(json_schema_extra={"enum": list(LANGUAGES)}, max_length=5)
    team_id: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=MAX_DB_INT,
        description="a team's saved reply (owners and managers); without it, your own",
    )


class SavedReplyChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line = Field(max_length=TITLE_MAX)
    text: Text = Field(min_length=1, max_length=TEXT_MAX)
    language: str = Field(json_schema_extra={"enum": list(LANGUAGES)}, max_length=5)


class SavedReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    text: str
    language: str
    owner_id: int | None
    team_id: int | None
    created_at: datetime
    updated_at: datetime


class FilledReplyOut(BaseModel):
    reply_id: int
    case_id: int
    text: str


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    typing: bool = False


class HereOut(BaseModel):
    user_id: int
    name: str
    typing: bool


class PresenceOut(BaseModel):
    case_id: int
    others: list[HereOut]
