from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base, EnumText
from amends.intake.rules import RawMailStatus

# Attachments are rows of the messages domain now (a case lists them from below intake);
# the old name stays importable here.
from amends.messages.models import StoredAttachment as StoredAttachment


class Quarantine(Base):
    """Input that was kept but could not be used: a malformed mail, a bad CSV row.

    Nothing is dropped silently: the raw input and the reason stay here until someone
    fixes the cause and retries, or dismisses it.
    """

    __tablename__ = "quarantine"
    __table_args__ = (Index("ix_quarantine_open", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(50))  # e.g. "csv:customers", "mail:imap"
    reference: Mapped[str] = mapped_column(String(500))  # e.g. "customers.csv:14"
    code: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class RawMail(Base):
    """Every raw email ever received, stored (bytes on disk by SHA-256) before parsing.

    The row is committed first; parsing and threading come after, so a crash or a
    parser bug never loses a message: a rerun or ``amends intake retry`` picks it up.
    """

    __tablename__ = "raw_mail"
    __table_args__ = (Index("ix_raw_mail_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    source: Mapped[str] = mapped_column(String(20))  # eml, maildir, mbox, imap, smtp
    source_ref: Mapped[str] = mapped_column(String(1000), default="")
    received_at: Mapped[datetime]
    # pending -> stored | duplicate | ignored | quarantined
    status: Mapped[RawMailStatus] = mapped_column(EnumText(RawMailStatus, 20))
    reason_code: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(2000), default="")
    message_key: Mapped[str | None] = mapped_column(String(300))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    processed_at: Mapped[datetime | None]
