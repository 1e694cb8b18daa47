from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base


class Survey(Base):
    """One satisfaction survey sent to a customer: after a case closed, or about the
    relationship as a whole (no case), answered at most once through its signed link."""

    __tablename__ = "surveys"
    __table_args__ = (
        # The recovery-paradox figure reads answers by time.
        Index("ix_surveys_answered_at", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    # One survey per case: the sweep and a person asking twice must not mail it twice.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), unique=True
    )
    language: Mapped[str] = mapped_column(String(35))
    to_address: Mapped[str] = mapped_column(String(254))
    # Part of the signed link; a link made for another nonce opens nothing.
    nonce: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    csat: Mapped[int | None]
    nps: Mapped[int | None]
    comment: Mapped[str] = mapped_column(default="")
