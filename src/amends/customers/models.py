from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from amends.customers.rules import CustomerStatus, Tier
from amends.db import Base, EnumText
from amends.text.address import GenderForm


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    language: Mapped[str] = mapped_column(String(35))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    recurring_value: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    tier: Mapped[Tier] = mapped_column(EnumText(Tier, 20), default=Tier.STANDARD)
    status: Mapped[CustomerStatus] = mapped_column(
        EnumText(CustomerStatus, 20), default=CustomerStatus.ACTIVE, index=True
    )
    # An unknown sender becomes a lead rather than being dropped; someone confirms it later.
    is_lead: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(default="")
    # Invoices paid late, when the business keeps count (None: not known); evidence for
    # the customer's fit.
    late_payments: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # When ``amends privacy erase`` replaced their personal content (the row stays, so
    # reports and counts do not change).
    erased_at: Mapped[datetime | None]
    # When their first case was opened, and when a case of theirs was first closed as
    # retained or won back (None: never): kept by database triggers on ``cases``
    # (migration d029), so the recovery paradox reads one row per customer.
    first_case_at: Mapped[datetime | None]
    recovered_at: Mapped[datetime | None]
    # Their latest win-back sequence as shown with them ({"id", "status", ...}), kept by
    # amends.winback, which sits above this domain: the customer's own view reads it here.
    winback: Mapped[dict[str, Any] | None]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Contact.id"
    )


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    is_primary: Mapped[bool] = mapped_column(default=False)
    # How drafts greet them where a language needs it (Greek "Αγαπητή"/"Αγαπητέ"); None:
    # not said, and a Greek name's ending decides, or a greeting that needs none is used.
    gender_form: Mapped[GenderForm | None] = mapped_column(EnumText(GenderForm, 10))

    customer: Mapped[Customer] = relationship(back_populates="contacts")
