"""Advocates: customers proposed to spread the word after a recovery they were happy
with (``amends.surveys`` proposes them and records their rewards)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from amends.db import Base


class Advocate(Base):
    """A customer proposed as an advocate, once, with the reward given to them (if any)
    as a row of the compensation ledger."""

    __tablename__ = "advocates"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), unique=True
    )
    # The recovered case and the answer that made them one.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime]
    reward_id: Mapped[int | None] = mapped_column(
        ForeignKey("compensations.id", ondelete="SET NULL")
    )
    rewarded_at: Mapped[datetime | None]


def is_advocate(session: Session, customer_id: int) -> bool:
    return (
        session.scalar(select(Advocate.id).where(Advocate.customer_id == customer_id)) is not None
    )


def among(session: Session, customer_ids: list[int]) -> set[int]:
    """Which of these customers are advocates (one query for a page of customers)."""
    if not customer_ids:
        return set()
    return set(
        session.scalars(select(Advocate.customer_id).where(Advocate.customer_id.in_(customer_ids)))
    )
