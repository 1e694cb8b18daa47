from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from amends.commitments.rules import CommitmentKind, CommitmentStatus
from amends.db import Base, EnumText


class Commitment(Base):
    """What was promised to a customer, how, and by when."""

    __tablename__ = "commitments"
    __table_args__ = (
        # Only rows with a deadline still to judge: a judged promise leaves the index
        # instead of moving within it, which halves a cold sweep's index writes.
        Index(
            "ix_commitments_status_check",
            "status",
            "next_check_at",
            sqlite_where=text("next_check_at IS NOT NULL"),
            postgresql_where=text("next_check_at IS NOT NULL"),
        ),
        Index("ix_commitments_owner_due", "owner_id", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[CommitmentKind] = mapped_column(EnumText(CommitmentKind, 30))
    manner: Mapped[str] = mapped_column(default="")
    due_at: Mapped[datetime | None]
    rrule: Mapped[str | None] = mapped_column(String(500))
    grace_hours: Mapped[int] = mapped_column(default=0)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    source_ref: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[CommitmentStatus] = mapped_column(
        EnumText(CommitmentStatus, 20), default=CommitmentStatus.ACTIVE, index=True
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The sweep's bookmark: occurrences whose deadline is at or before checked_through
    # have been judged. next_check_at is the next deadline still to judge, so a sweep
    # with nothing new due reads an empty index range instead of every commitment.
    checked_through: Mapped[datetime | None]
    next_due_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]


class Breach(Base):
    """One missed occurrence of a commitment; unique, so however often or however many
    sweeps run, a miss is recorded (and opens or joins a case) exactly once."""

    __tablename__ = "breaches"
    __table_args__ = (UniqueConstraint("commitment_id", "occurrence_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    occurrence_due_at: Mapped[datetime]
    deadline: Mapped[datetime]
    detected_at: Mapped[datetime]
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )


class Delivery(Base):
    """Evidence that (an occurrence of) a commitment was fulfilled."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_commitment_at", "commitment_id", "delivered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    delivered_at: Mapped[datetime]
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(default="")
    link: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime]


class WebhookReceipt(Base):
    """A signed webhook delivery already taken, by its id: a second copy is a replay.

    Kept only as long as a copy could still pass the signed-time window; older ones
    would be refused as stale anyway.
    """

    __tablename__ = "webhook_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200), unique=True)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    received_at: Mapped[datetime]
