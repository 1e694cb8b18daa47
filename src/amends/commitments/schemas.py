from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from amends.commitments.rules import CommitmentKind, CommitmentStatus
from amends.fields import Currency, Id, Line, Money, Text, UTCTime

GraceHours = Field(default=0, ge=0, le=24 * 365)


class CommitmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: Id
    title: Line
    kind: CommitmentKind
    currency: Currency
    due_at: UTCTime | None = None
    rrule: Line | None = Field(default=None, max_length=500)
    grace_hours: int = GraceHours
    manner: Text = ""
    owner_id: Id | None = None
    value: Money = Decimal("0")
    source_ref: Line | None = None
    external_id: Line | None = None
    status: CommitmentStatus = CommitmentStatus.ACTIVE


class CommitmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line | None = None
    manner: Text | None = None
    due_at: UTCTime | None = None
    rrule: Line | None = Field(default=None, max_length=500)
    grace_hours: int | None = Field(default=None, ge=0, le=24 * 365)
    owner_id: Id | None = None
    value: Money | None = None
    status: CommitmentStatus | None = None


class CommitmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    customer_id: int
    title: str
    kind: str
    manner: str
    due_at: datetime | None
    rrule: str | None
    grace_hours: int
    owner_id: int | None
    value: Decimal
    currency: str
    source_ref: str | None
    status: str
    created_at: datetime
    updated_at: datetime


class CommitmentPage(BaseModel):
    items: list[CommitmentOut]
    limit: int
    offset: int
    next_offset: int | None


class DeliveryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commitment_id: Id
    delivered_at: UTCTime
    note: Text = ""
    link: Line | None = Field(default=None, max_length=2000)
    by_user_id: Id | None = None


class DeliveryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivered_at: UTCTime | None = None
    note: Text | None = None
    link: Line | None = Field(default=None, max_length=2000)


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    commitment_id: int
    delivered_at: datetime
    by_user_id: int | None
    note: str
    link: str | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    limit: int
    offset: int
    next_offset: int | None
