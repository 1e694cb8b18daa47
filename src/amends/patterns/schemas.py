from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from amends.fields import Email, Id, Language, Text
from amends.patterns.rules import ActionStatus, ChangeKind, PatternStatus, Verdict


class PatternOut(BaseModel):
    id: int
    ref: str
    title: str
    category: str
    status: PatternStatus
    customers: int
    case_ids: list[int]
    action_ids: list[int]
    first_opened_at: datetime
    last_opened_at: datetime
    created_at: datetime
    resolved_at: datetime | None


class PatternPage(BaseModel):
    items: list[PatternOut]
    limit: int
    offset: int
    next_offset: int | None


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    root_cause: Text = Field(min_length=3, max_length=5000)
    change_kind: ChangeKind
    description: Text = Field(min_length=3, max_length=5000)
    # The change in other languages (language -> sentence); the description counts for
    # the language it is written in.
    wordings: dict[Language, Text] = Field(default_factory=dict, max_length=10)
    owner_email: Email
    due_on: date
    case_ids: list[Id] = Field(default_factory=list, max_length=500)
    pattern_ids: list[Id] = Field(default_factory=list, max_length=50)


class ActionLinksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_ids: list[Id] = Field(default_factory=list, max_length=500)
    pattern_ids: list[Id] = Field(default_factory=list, max_length=50)


class WordingIn(BaseModel):
    """The change as customers of one language are told it; empty removes it."""

    model_config = ConfigDict(extra="forbid")

    text: Text = Field(max_length=5000)


class ActionStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ActionStatus
    note: Text = Field(default="", max_length=5000)


class ActionOwnerOut(BaseModel):
    id: int
    name: str
    email: str


class VerificationOut(BaseModel):
    """Did the failures stop? Cases like the ones fixed, opened after the change was done."""

    verdict: Verdict
    repeats_after: int
    repeat_case_ids: list[int]
    watch_days: int


class ActionOut(BaseModel):
    id: int
    ref: str
    root_cause: str
    change_kind: ChangeKind
    description: str
    wordings: dict[str, str] = {}
    owner: ActionOwnerOut
    due_on: date
    overdue: bool
    status: ActionStatus
    created_at: datetime
    done_at: datetime | None
    verified_at: datetime | None
    case_ids: list[int]
    pattern_ids: list[int]
    verification: VerificationOut


class ActionPage(BaseModel):
    items: list[ActionOut]
    limit: int
    offset: int
    next_offset: int | None
