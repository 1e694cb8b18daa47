"""The compensation domain's API and ``--json`` shapes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from amends.fields import Text


class CompensationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    kind: str
    amount: Decimal
    currency: str
    rationale: str
    status: str
    requested_by: int | None
    decided_by: int | None
    decision_note: str
    created_at: datetime
    decided_at: datetime | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    note: Text = ""
