from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from amends.fields import Text
from amends.winback.rules import WinbackOutcome


class WinbackStepOut(BaseModel):
    number: int
    day: int
    due_at: str
    status: str
    sent_at: str | None
    message_id: int | None


class WinbackOut(BaseModel):
    id: int
    customer_id: int
    customer: str
    case_id: int
    owner_id: int
    owner: str
    status: str
    stop_reason: str | None
    started_at: str
    stopped_at: str | None
    decided_at: str | None
    next_due_at: str | None
    note: str
    steps: list[WinbackStepOut]


class WinbackPage(BaseModel):
    items: list[WinbackOut]
    limit: int
    offset: int
    next_offset: int | None


class StopIn(BaseModel):
    """Stop a sequence and/or record its outcome."""

    model_config = ConfigDict(extra="forbid")

    no_contact: bool = False
    outcome: WinbackOutcome | None = None
    note: Text = ""


class WatchItemOut(BaseModel):
    watch_id: int
    case_id: int
    customer_id: int
    customer: str
    owner_id: int
    status: str
    commitment_id: int
    title: str
    due_at: str
    deadline: str
    notified_at: str | None
    missed_case_id: int | None
