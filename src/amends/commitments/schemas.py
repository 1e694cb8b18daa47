from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

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


class OccurrenceOut(BaseModel):
    due_at: datetime
    deadline: datetime
    status: str
    delivery_id: int | None
    delivered_at: datetime | None


class ExpectationOut(BaseModel):
    commitment_id: int
    external_id: str | None
    title: str
    kind: str
    rrule: str | None
    value: Decimal
    currency: str
    occurrences: list[OccurrenceOut]


class ValidityOut(BaseModel):
    verdict: str
    reasons: list[str]
    evidence: list[dict[str, object]]
    # One row per promise judged: kept on time, kept late, missed or not yet due.
    claims: list[dict[str, object]] = []
    as_of: datetime | None = None  # the moment the ledger was read for this verdict
    judged_at: datetime | None = None  # set when an agent asked to judge again
    evidence_verdict: str | None = None
    override: dict[str, object] | None = None


class ValidityOverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["right", "partly_right", "not_right", "unknown"]
    reason: Text = Field(min_length=3, max_length=2000)


class WebhookDelivery(BaseModel):
    """A delivery reported by another system, identified by the commitment's external id."""

    model_config = ConfigDict(extra="forbid")

    # Signed with the rest of the body: a second copy of an id, or a body sent more than
    # a few minutes from now, is a replay and refused (commitments.service).
    delivery_id: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")
    sent_at: UTCTime
    commitment_external_id: Line
    delivered_at: UTCTime
    note: Text = ""
    link: Line | None = Field(default=None, max_length=2000)
