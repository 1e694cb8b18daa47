from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from amends.fields import Email, Id, Language, Text, UTCTime
from amends.messages.rules import Channel, Direction


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    direction: Direction
    channel: Channel = Channel.API
    text: Text
    subject: Text = Field(default="", max_length=1000)
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
    from_name: Text = Field(default="", max_length=300)
    subject: Text = Field(default="", max_length=1000)
    text: Text = Field(min_length=1)
    language: Language = "und"
    received_at: UTCTime | None = None


class ComplaintOut(BaseModel):
    message_id: int
    case_id: int
    case_ref: str
    customer_id: int
    opened: bool
