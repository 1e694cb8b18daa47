from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base, EnumText
from amends.messages.rules import Channel, Direction, OutboxStatus


class Message(Base):
    """A message to or from a customer (or an internal note on a case)."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_case_at", "case_id", "at"),
        # Threading by sender and subject looks up a sender's recent mail; without it
        # every incoming message scanned all messages.
        Index("ix_messages_from_at", "from_address", "at"),
        # Which messages make a case's text (its first inbound ones) is answered from
        # this index alone; repeat and pattern detection ask it for a thousand cases.
        Index("ix_messages_case_direction", "case_id", "direction", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[Direction] = mapped_column(EnumText(Direction, 20))
    channel: Mapped[Channel] = mapped_column(EnumText(Channel, 20))
    language: Mapped[str] = mapped_column(String(35), default="und")
    subject: Mapped[str] = mapped_column(String(1000), default="")
    text: Mapped[str] = mapped_column(default="")
    from_address: Mapped[str | None] = mapped_column(String(254))
    to_address: Mapped[str | None] = mapped_column(String(254))
    # Idempotency for intake: the Message-ID (or a hash of the raw bytes when absent).
    message_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    # SHA-256 of the stored raw bytes, when the message came in as raw mail.
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A drafted outbound message (e.g. the first message of a proactive case): shown to
    # the owner, never sent until a person sends it.
    is_draft: Mapped[bool] = mapped_column(default=False)
    # Written by the system rather than a person (a survey, a win-back step, a proactive
    # apology): the outbox never sends one to a customer who takes no automated messages.
    automated: Mapped[bool] = mapped_column(default=False)
    # The insults and threats an inbound message holds, [{"word", "kind"}] as written
    # (messages.abuse); None when it holds none. Evidence for the customer's fit.
    abuse: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    at: Mapped[datetime]
    created_at: Mapped[datetime]


class OutboxItem(Base):
    """An outbound email waiting to be sent, claimed and sent by exactly one worker.

    Rows are written in the same transaction as the message, so a message is either
    recorded and queued, or neither (the transactional outbox pattern).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        # The hourly cap per recipient counts recent claims to one address.
        Index("ix_outbox_to_claimed", "to_address", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    status: Mapped[OutboxStatus] = mapped_column(EnumText(OutboxStatus, 20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(default="")
    # Why the row waited beyond its due time (the per-recipient hourly cap); kept after
    # it is sent, as the record of the delay.
    hold_reason: Mapped[str] = mapped_column(String(500), default="")
    held_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class StoredAttachment(Base):
    """A file that came with a message; the bytes live on disk under their SHA-256.

    Written by intake (mail and the web form), listed and served with the case.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    inline: Mapped[bool] = mapped_column(default=False)


class MailChannel(Base):
    """The mail settings a manager saved for one channel (``smtp`` sends, ``imap`` reads),
    which win over the server's AMENDS_SMTP_* / AMENDS_IMAP_* environment. In the
    database so every server and worker, on every machine, reads the same values.

    ``tls`` is STARTTLS for SMTP and a TLS connection for IMAP; ``folder`` is IMAP's,
    ``timeout`` SMTP's. ``password_sealed`` is the password encrypted with a key derived
    from the workspace secret (see ``messages.sealing``); None keeps the environment's.
    """

    __tablename__ = "mail_channels"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    host: Mapped[str] = mapped_column(String(253), default="")
    port: Mapped[int]
    user: Mapped[str] = mapped_column(String(320), default="")
    password_sealed: Mapped[str | None] = mapped_column(String(2000))
    tls: Mapped[bool]
    folder: Mapped[str] = mapped_column(String(200), default="")
    timeout: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime]
