from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from amends.cases.rules import Category, Origin, Severity, case_ref
from amends.fields import Email, Id, Line, Text, UTCTime

if TYPE_CHECKING:
    from amends.cases.models import Case, CaseParticipant
    from amends.people.models import User


class OwnerOut(BaseModel):
    id: int
    name: str
    email: str


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: Id
    # Left out, the case is routed: an agent who speaks the customer's language.
    owner_id: Id | None = None
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
    # Why; required when a manager lowers the severity of a repeat.
    reason: Text = Field(default="", max_length=2000)


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_user_id: Id
    reason: Text = Field(max_length=2000)


class StatementIn(BaseModel):
    """The named employee's own account of what happened."""

    model_config = ConfigDict(extra="forbid")

    text: Text = Field(max_length=20_000)


class WaiverIn(BaseModel):
    """A manager lets the case close without a named employee's statement, saying why."""

    model_config = ConfigDict(extra="forbid")

    # The named employee, by id or by email.
    user_id: Id | None = None
    user: Email | None = None
    reason: Text = Field(max_length=2000)


class StatementOut(BaseModel):
    """A named employee on a case and where their statement stands."""

    case_id: int
    ref: str
    title: str
    user: str  # their email
    user_id: int
    name: str
    added_at: datetime
    statement_at: datetime | None
    waived_at: datetime | None

    @classmethod
    def of(cls, case: Case, participant: CaseParticipant, user: User) -> StatementOut:
        return cls(
            case_id=case.id,
            ref=case_ref(case.id),
            title=case.title,
            user=user.email,
            user_id=user.id,
            name=user.name,
            added_at=participant.added_at,
            statement_at=participant.statement_at,
            waived_at=participant.waived_at,
        )


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
    steps_done: list[str]
    handoffs: int
    waiting_on: str
    ack_due_at: datetime | None
    remedy_due_at: datetime | None
    close_due_at: datetime | None
    urgency_at: datetime | None
    first_response_at: datetime | None
    one_interaction: bool | None
    repeat_of: list[int]

    @classmethod
    def build(cls, case: Case, owner: User) -> CaseOut:
        # Rows from our own database are already valid; skipping validation matters on
        # the hot path of owners' case lists.
        return cls.model_construct(
            id=case.id,
            ref=case_ref(case.id),
            customer_id=case.customer_id,
            title=case.title,
            state=case.state,
            severity=case.severity,
            category=case.category,
            origin=case.origin,
            outcome=case.outcome,
            owner=OwnerOut.model_construct(id=owner.id, name=owner.name, email=owner.email),
            commitment_id=case.commitment_id,
            opened_at=case.opened_at,
            acknowledged_at=case.acknowledged_at,
            resolved_at=case.resolved_at,
            closed_at=case.closed_at,
            updated_at=case.updated_at,
            steps_done=[s for s in case.steps_done.split(",") if s],
            handoffs=case.handoffs,
            waiting_on=case.waiting_on,
            ack_due_at=case.ack_due_at,
            remedy_due_at=case.remedy_due_at,
            close_due_at=case.close_due_at,
            urgency_at=case.urgency_at,
            first_response_at=case.first_response_at,
            one_interaction=case.one_interaction,
            repeat_of=case.repeat_of or [],
        )

    @classmethod
    def json_row(cls, row: Sequence[Any], utc: Callable[[Any], Any]) -> dict[str, Any]:
        """The API shape, ready for JSON, from a raw row in ROW_COLUMNS order.

        The owners' case list is the page every agent keeps open; building plain dicts
        from unprocessed rows (no model per row, no type round trips) is what keeps it
        at a few milliseconds. A test holds it equal to the model's own output.
        """
        values = list(row)
        for i in _TIME_AT:
            values[i] = utc(values[i])
        v = dict(zip(_CASE_KEYS, values, strict=False))  # the owner's three come last
        one = v["one_interaction"]
        repeat = v["repeat_of"]
        if isinstance(repeat, str):  # SQLite hands JSON back as text
            repeat = json.loads(repeat)
        owner_id, owner_name, owner_email = values[-3:]
        v["ref"] = case_ref(v["id"])
        v["owner"] = {"id": owner_id, "name": owner_name, "email": owner_email}
        v["steps_done"] = [s for s in v["steps_done"].split(",") if s]
        v["one_interaction"] = None if one is None else bool(one)
        v["repeat_of"] = repeat or []
        return v


# Columns of a raw case row for CaseOut.json_row: the case's own, then its owner's.
ROW_COLUMNS = (
    *(key for key in CaseOut.model_fields if key not in {"ref", "owner"}),
    "owner_id",
    "owner_name",
    "owner_email",
)
_CASE_KEYS = ROW_COLUMNS[:-3]
_TIME_AT = tuple(
    i for i, key in enumerate(_CASE_KEYS) if "datetime" in str(CaseOut.model_fields[key].annotation)
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


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int | None
    kind: str
    text: str
    created_at: datetime
    read_at: datetime | None
