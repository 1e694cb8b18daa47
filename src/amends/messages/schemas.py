from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Self

from pydantic import BaseModel, ConfigDict, Field

from amends.fields import Email, Id, Language, OptionalLine, Subject, Text, UTCTime
from amends.messages.rules import Channel, Direction, OutboxStatus, Resolution

if TYPE_CHECKING:
    from amends.messages.review import OutboxRow


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    direction: Direction
    channel: Channel = Channel.API
    text: Text
    subject: Subject = ""
    language: Language = "und"
    case_id: Id | None = None
    customer_id: Id | None = None
    from_address: Email | None = None
    to_address: Email | None = None
    at: UTCTime | None = None
    # An outbound text the coach refuses is recorded only with a reason for sending it.
    override_reason: str | None = Field(default=None, max_length=500)


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int | None
    customer_id: int | None
    direction: str
    channel: str
    language: str
    subject: str
    text: str
    from_address: str | None
    to_address: str | None
    author_id: int | None
    at: datetime
    created_at: datetime


class MessagePage(BaseModel):
    items: list[MessageOut]
    limit: int
    offset: int
    next_offset: int | None


class ComplaintIn(BaseModel):
    """A complaint from any channel; the customer by id or by the sender's address."""

    model_config = ConfigDict(extra="forbid")

    customer_id: Id | None = None
    from_address: Email | None = None
    from_name: OptionalLine = ""
    subject: Subject = ""
    text: Text = Field(min_length=1)
    language: Language = "und"
    received_at: UTCTime | None = None


class ComplaintOut(BaseModel):
    message_id: int
    case_id: int
    case_ref: str
    customer_id: int
    opened: bool


class OutboxOut(BaseModel):
    """An outbox row: where a reply is on its way to the customer, and why."""

    id: int
    message_id: int
    case_id: int | None
    subject: str
    to_address: str
    status: OutboxStatus
    attempts: int
    last_error: str
    hold_reason: str
    created_at: datetime
    claimed_at: datetime | None
    sent_at: datetime | None

    @classmethod
    def of(cls, row: OutboxRow) -> Self:
        item = row.item
        return cls(
            id=item.id,
            message_id=item.message_id,
            case_id=row.case_id,
            subject=row.subject,
            to_address=item.to_address,
            status=item.status,
            attempts=item.attempts,
            last_error=item.last_error,
            hold_reason=item.hold_reason,
            created_at=item.created_at,
            claimed_at=item.claimed_at,
            sent_at=item.sent_at,
        )


class ResolutionIn(BaseModel):
    """A person's decision on a reply that was perhaps sent."""

    model_config = ConfigDict(extra="forbid")

    resolution: Resolution = Field(
        description="resend: it did not reach the customer; mark_sent: it did"
    )
    note: Text = Field(default="", max_length=2000, description="how you checked, for the timeline")
