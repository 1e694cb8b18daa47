from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from amends.cases.rules import CaseState, Category, Origin, Outcome, Severity
from amends.fields import Id, Line, Text, UTCTime

if TYPE_CHECKING:
    from amends.cases.models import Case
    from amends.people.models import User


class OwnerOut(BaseModel):
    id: int
    name: str
    email: str


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: Id
    owner_id: Id
    title: Line
    severity: Severity = Severity.MEDIUM
    category: Category = Category.OTHER
    origin: Origin = Origin.MANUAL
    commitment_id: Id | None = None
    opened_at: UTCTime | None = None


class CaseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line | None = None
    severity: Severity | None = None
    category: Category | None = None


class CaseTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: CaseState
    outcome: Outcome | None = None
    note: Text = ""


class CaseOut(BaseModel):
    id: int
    ref: str
    customer_id: int
    title: str
    state: str
    severity: str
    category: str
    origin: str
    outcome: str | None
    owner: OwnerOut
    commitment_id: int | None
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime

    @classmethod
    def build(cls, case: Case, owner: User) -> CaseOut:
        return cls(
            id=case.id,
            ref=f"C-{case.id}",
            customer_id=case.customer_id,
            title=case.title,
            state=case.state,
            severity=case.severity,
            category=case.category,
            origin=case.origin,
            outcome=case.outcome,
            owner=OwnerOut(id=owner.id, name=owner.name, email=owner.email),
            commitment_id=case.commitment_id,
            opened_at=case.opened_at,
            acknowledged_at=case.acknowledged_at,
            resolved_at=case.resolved_at,
            closed_at=case.closed_at,
            updated_at=case.updated_at,
        )


class CasePage(BaseModel):
    items: list[CaseOut]
    limit: int
    offset: int
    next_offset: int | None


class TimelineEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    kind: str
    note: str
    data: dict[str, Any]
