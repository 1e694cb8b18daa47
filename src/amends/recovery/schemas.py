"""Shapes of the cross-domain actions (steps, replies and the compensation they carry) and
of a case as shown with everything beside it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, Field

from amends.cases.rules import Outcome, Step
from amends.cases.schemas import CaseOut
from amends.commitments.schemas import ValidityOut
from amends.compensation.rules import CompensationKind
from amends.compensation.schemas import CompensationOut
from amends.customers.schemas import CustomerOut
from amends.fields import Currency, Language, Line, Money, Text

if TYPE_CHECKING:
    from amends.recovery.flows import StepResult


class CompensationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CompensationKind
    amount: Money = Decimal("0")
    currency: Currency | None = None
    rationale: Text = ""


class StepsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[Step] = Field(min_length=1, max_length=7)
    note: Text = ""
    outcome: Outcome | None = None
    compensation: CompensationIn | None = None
    call_note: Text | None = Field(
        default=None,
        max_length=5000,
        description="what was said on a call, when acknowledge, explain-change or follow-up "
        "were done by phone rather than by a reply",
    )


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text = Field(min_length=1)
    subject: Line | None = None
    language: Language | None = None
    steps: list[Step] = Field(default_factory=list, max_length=6)
    compensation: CompensationIn | None = None
    override_reason: Text | None = Field(
        default=None,
        max_length=2000,
        description="send despite blame, excuse or conditional-apology findings, and why",
    )
    asks: Text | None = Field(
        default=None,
        max_length=500,
        description="what the reply asks the customer for; the remedy clock waits for it",
    )


class StepsOut(BaseModel):
    case: CaseOut
    done: list[str]
    held_for_approval: list[str]
    compensation_id: int | None

    @classmethod
    def of(cls, case: CaseOut, result: StepResult, **extra: Any) -> Self:
        """What a step (or a reply carrying steps) did, as the API and CLI report it."""
        return cls(
            case=case,
            done=[s.value for s in result.done],
            held_for_approval=[s.value for s in result.held],
            compensation_id=result.compensation_id,
            **extra,
        )


class ReplyOut(StepsOut):
    message_id: int
    outbox_status: str


# -- what the case page, `cases show` and GET /api/v1/cases/{id} show about a case ----------


class ClockOut(BaseModel):
    """One SLA clock: its deadline and where it stands."""

    name: str  # acknowledge, remedy, close: the step that stops it
    due_at: datetime | None
    done_at: datetime | None
    # met: done in time; missed: done late; overdue: running past its deadline;
    # running: before its deadline; paused: waiting on the customer; stopped: the case
    # closed before its deadline without its step; none: no deadline
    status: str
    seconds_left: int | None  # until the deadline (negative: overdue), while it runs


class CaseLink(BaseModel):
    id: int
    ref: str
    title: str


class SimilarOut(CaseLink):
    score: float


class ReasonOut(BaseModel):
    """One step of the recommendation: a catalog message id and its values in English;
    ``said`` is the same sentence stored for saying in a reader's language (money and
    shares formatted by locale)."""

    message: str
    values: dict[str, str]
    said: dict[str, Any]


class RecommendationOut(BaseModel):
    kind: str
    amount: Decimal
    currency: str
    explanation: str  # the reasons in English, joined
    reasons: list[ReasonOut]


class CompensationView(BaseModel):
    recommended: RecommendationOut
    # Everything recorded on the case: granted, requested (waiting for a manager),
    # approved and declined, each in its own currency.
    granted: list[CompensationOut]
    open_request: bool


class ParticipantOut(BaseModel):
    user_id: int
    name: str
    role: str
    reason: str
    added_at: datetime


class AttachmentOut(BaseModel):
    id: int
    message_id: int
    name: str
    size: int
    content_type: str
    url: str  # the authorised download, always as an attachment


class CaseView(CaseOut):
    """A case with everything shown beside it; built only by ``recovery.view.case_view``."""

    clocks: list[ClockOut]
    validity: ValidityOut
    compensation: CompensationView
    # The single-case view names the earlier cases; case lists keep their ids.
    repeat_of: list[CaseLink]  # type: ignore[assignment]
    similar: list[SimilarOut]
    participants: list[ParticipantOut]
    attachments: list[AttachmentOut]


class FitReasonOut(BaseModel):
    code: str
    text: str
    figures: dict[str, Any]


class FitOut(BaseModel):
    """keep, watch or part_ways, with the reasons (advice: a manager decides)."""

    recommendation: str
    reasons: list[FitReasonOut]


class CustomerFitOut(CustomerOut):
    """A customer with the fit their evidence recommends."""

    fit: FitOut

    @classmethod
    def of(cls, customer: object, fit: dict[str, Any]) -> Self:
        base = CustomerOut.model_validate(customer).model_dump()
        return cls.model_validate({**base, "fit": fit})


class PartWaysIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=3)
    # Unused prepaid service refunded, in the customer's currency unless one is given.
    refund: Money | None = Field(default=None, gt=0)
    currency: Currency | None = None
    referral: Line | None = None
    # Replaces the coach's draft; it passes the coach as any reply does.
    text: Text | None = None
    override_reason: Text | None = None


class PartingOut(BaseModel):
    customer_id: int
    status: str
    case_id: int
    message_id: int
    outbox_id: int
    compensation_id: int | None
    cancelled_automated: int
