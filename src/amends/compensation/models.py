from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from amends.compensation.rules import CompensationKind, CompensationStatus
from amends.db import Base, EnumText


class Compensation(Base):
    """What was given (or asked to be given) to make a failure right."""

    __tablename__ = "compensations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CompensationKind] = mapped_column(EnumText(CompensationKind, 20))
    amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    rationale: Mapped[str] = mapped_column(default="")
    status: Mapped[CompensationStatus] = mapped_column(EnumText(CompensationStatus, 20))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    # The reply that told the customer of it; it waits unsent while the compensation does.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
