from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from amends.fields import Email, Id, Language, OptionalLine, Subject, Text, UTCTime
from amends.messages import channels
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


class MailChannelOut(BaseModel):
    """One mail channel as it is in effect; never its password."""

    kind: Literal["smtp", "imap"]
    source: Literal["saved", "environment"] = Field(
        description="saved in amends, or the server's AMENDS_SMTP_*/AMENDS_IMAP_* environment"
    )
    host: str
    port: int
    user: str
    password_set: bool
    tls: bool = Field(description="SMTP: STARTTLS; IMAP: a TLS (SSL) connection")
    folder: str | None = Field(description="IMAP: the folder read; null for SMTP")
    timeout: float | None = Field(description="SMTP: seconds to wait; null for IMAP")
    updated_at: datetime | None

    @classmethod
    def of(cls, view: channels.ChannelView) -> Self:
        imap = view.kind == "imap"
        return cls(
            kind=view.kind,
            source="saved" if view.stored else "environment",
            host=view.host,
            port=view.port,
            user=view.user,
            password_set=view.password_set,
            tls=view.tls,
            folder=view.folder if imap else None,
            timeout=None if imap else view.timeout,
            updated_at=view.updated_at,
        )


class MailChannelIn(BaseModel):
    """The whole channel; it replaces the one in effect from the next send or poll."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(max_length=channels.MAX_HOST)
    port: int = Field(ge=1, le=65535)
    user: str = Field(default="", max_length=channels.MAX_USER)
    password: str | None = Field(
        default=None,
        max_length=channels.MAX_PASSWORD,
        description="write-only; omitted or empty keeps the password in effect",
    )
    clear_password: bool = Field(default=False, description="remove the password")
    tls: bool = Field(default=False, description="SMTP: STARTTLS; IMAP: a TLS (SSL) connection")
    folder: str = Field(default="INBOX", max_length=channels.MAX_FOLDER, description="IMAP only")
    timeout: float = Field(default=30.0, ge=1, le=600, description="SMTP only, seconds")

    def __repr__(self) -> str:
        return f"MailChannelIn(host={self.host!r}, port={self.port!r}, user={self.user!r})"
