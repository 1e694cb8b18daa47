from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from amends.db import Base, EnumText
from amends.winback.rules import StepStatus, StopReason, WatchStatus, WinbackStatus


class Winback(Base):
    """The follow-ups to a customer lost on one case, written by that case's owner."""

    __tablename__ = "winbacks"
    __table_args__ = (
        # The job reads only running sequences whose next follow-up (or conclusion) is due.
        Index(
            "ix_winbacks_due",
            "next_due_at",
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    # One sequence per lost case, however often closing is retried.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[WinbackStatus] = mapped_column(EnumText(WinbackStatus, 20))
    stop_reason: Mapped[StopReason | None] = mapped_column(EnumText(StopReason, 20))
    started_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(default="")
    # The next follow-up's due time, then the moment silence concludes the sequence.
    next_due_at: Mapped[datetime | None]


class WinbackStep(Base):
    """One follow-up of a sequence: due on its day, sent once."""

    __tablename__ = "winback_steps"
    __table_args__ = (UniqueConstraint("winback_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    winback_id: Mapped[int] = mapped_column(ForeignKey("winbacks.id", ondelete="CASCADE"))
    number: Mapped[int]
    day: Mapped[int]
    due_at: Mapped[datetime]
    status: Mapped[StepStatus] = mapped_column(EnumText(StepStatus, 20))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None]


class Watch(Base):
    """After a recovery: the customer's next deliveries, watched by the case's owner."""

    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[WatchStatus] = mapped_column(EnumText(WatchStatus, 20))
    started_at: Mapped[datetime]
    # The last watched delivery's deadline: a miss due before it is a miss while watched.
    ends_at: Mapped[datetime]


class WatchItem(Base):
    """One watched occurrence of a commitment; the owner hears of it a day before."""

    __tablename__ = "watch_items"
    __table_args__ = (
        UniqueConstraint("watch_id", "commitment_id", "due_at"),
        # The reminder job reads the unsent reminders by due time.
        Index(
            "ix_watch_items_unnoticed",
            "due_at",
            sqlite_where=text("notified_at IS NULL"),
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"))
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime]
    deadline: Mapped[datetime]
    notified_at: Mapped[datetime | None]
    missed_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
