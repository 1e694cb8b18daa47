from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from amends.customers.rules import CustomerStatus, Tier
from amends.fields import Currency, Email, Language, Line, Money, Text, Timezone
from amends.text.address import GenderForm


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line
    email: Email | None = None
    phone: Line | None = Field(default=None, max_length=50)
    is_primary: bool = False
    # How drafts greet them where a language needs it (Greek); null: not said.
    gender_form: GenderForm | None = None


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    phone: str | None
    is_primary: bool
    gender_form: GenderForm | None


class ContactFormIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gender_form: GenderForm | None


class CustomerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line
    language: Language = "en"
    timezone: Timezone = "UTC"
    currency: Currency = "EUR"
    recurring_value: Money = Decimal("0")
    tier: Tier = Tier.STANDARD
    status: CustomerStatus = CustomerStatus.ACTIVE
    external_id: Line | None = None
    notes: Text = ""
    late_payments: int | None = Field(default=None, ge=0, le=100_000)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)


class CustomerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line | None = None
    language: Language | None = None
    timezone: Timezone | None = None
    currency: Currency | None = None
    recurring_value: Money | None = None
    tier: Tier | None = None
    status: CustomerStatus | None = None
    external_id: Line | None = None
    notes: Text | None = None
    # Invoices paid late, when known: evidence for the customer's fit.
    late_payments: int | None = Field(default=None, ge=0, le=100_000)
    contacts: list[ContactIn] | None = Field(default=None, max_length=50)


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    name: str
    language: str
    timezone: str
    currency: str
    recurring_value: Decimal
    tier: str
    status: str
    is_lead: bool
    notes: str
    late_payments: int | None = None
    created_at: datetime
    updated_at: datetime
    contacts: list[ContactOut]
    # Proposed as an advocate after a recovery (``amends surveys advocates``).
    advocate: bool = False
    # The latest win-back sequence (winback.service.summary), or null if never lost.
    winback: dict[str, Any] | None = None


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    limit: int
    offset: int
    next_offset: int | None
