from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base


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
