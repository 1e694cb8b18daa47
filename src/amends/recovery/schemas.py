"""Shapes of the cross-domain actions (steps, replies and the compensation they carry) and
of a case as shown with everything beside it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from amends.cases.rules import Category, Outcome, Severity, Step
from amends.cases.schemas import CaseOut
from amends.commitments.schemas import ValidityOut
from amends.compensation.rules import CompensationKind
from amends.compensation.schemas import CompensationOut
from amends.customers.schemas import CustomerOut
from amends.fields import MAX_DB_INT, Currency, Id, Language, Line, Money, OptionalLine, Text

if TYPE_CHECKING:
    from amends.cases.models import CaseMerge
    from amends.recovery.bulk import BulkResult
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
    seen_message_id: int | None = Field(
        default=None,
        ge=0,
        le=MAX_DB_INT,
        description="the newest message of the case you have read; when the case has a "
        "newer one the reply is refused (409, code reply-stale) so you read it first",
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
    """Someone taking part besides the owner; an employee the complaint names owes a
    statement until it is recorded (``statement_at``) or a manager waives it."""

    user: str  # their email
    user_id: int
    name: str
    role: str
    reason: str
    added_at: datetime
    statement: str | None = None
    statement_at: datetime | None = None
    waived_reason: str | None = None
    waived_at: datetime | None = None
    waived_by: int | None = None
    statement_pending: bool = False


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
    # Set on a merged case's stub: the case its messages and timeline now live in.
    merged_into: CaseLink | None = None


# Strict: JSON's true would otherwise be read as the number 1, and merge into case 1.
CaseRef = (
    Annotated[int, Field(ge=1, le=MAX_DB_INT, strict=True)]
    | Annotated[str, Field(min_length=1, max_length=20)]
)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: CaseRef = Field(description="the case to merge into: its id or ref (C-12)")


class MergeOut(BaseModel):
    """A merge: what moved from the source (now a closed stub) into the target."""

    id: int
    source_id: int
    source_ref: str
    target_id: int
    target_ref: str
    merged_at: datetime
    undo_until: datetime
    undone_at: datetime | None
    messages: int
    compensations: int
    events: int

    @classmethod
    def of(cls, merge: CaseMerge, *, undo_until: datetime) -> Self:
        moved = merge.moved or {}
        return cls(
            id=merge.id,
            source_id=merge.source_id,
            source_ref=f"C-{merge.source_id}",
            target_id=merge.target_id,
            target_ref=f"C-{merge.target_id}",
            merged_at=merge.merged_at,
            undo_until=undo_until,
            undone_at=merge.undone_at,
            messages=len(moved.get("messages", [])),
            compensations=len(moved.get("compensations", [])),
            events=len(moved.get("events", [])),
        )


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_ids: list[Id] = Field(min_length=1, max_length=500)
    title: OptionalLine = ""
    category: Category | None = None
    severity: Severity | None = None
    owner_id: int | None = Field(default=None, ge=1, le=MAX_DB_INT)


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_ids: list[Id] = Field(min_length=1, max_length=200)
    action: Literal["assign", "category", "severity", "merge"]
    owner_id: int | None = Field(default=None, ge=1, le=MAX_DB_INT, description="assign: to whom")
    reason: Text = Field(default="", description="assign: why (required); severity: why lower")
    category: Category | None = None
    severity: Severity | None = None
    into: CaseRef | None = Field(
        default=None, description="merge: the case the others join; default the earliest"
    )


class BulkRefusal(BaseModel):
    case_id: int
    code: str
    detail: str


class BulkOut(BaseModel):
    done: list[int]
    refused: list[BulkRefusal]
    into: int | None = None

    @classmethod
    def of(cls, result: BulkResult) -> Self:
        return cls(
            done=result.done,
            refused=[
                BulkRefusal(case_id=i, code=e.code, detail=e.message)
                for i, e in result.refused.items()
            ],
            into=result.into,
        )


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
