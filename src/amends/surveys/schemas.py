from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from amends.compensation.rules import CompensationKind
from amends.fields import Currency, Id, Money, Text
from amends.surveys.models import Survey


class SurveySend(BaseModel):
    """A survey about a closed case (``case_id``), or about the relationship
    (``customer_id`` alone)."""

    model_config = ConfigDict(extra="forbid")

    case_id: Id | None = None
    customer_id: Id | None = None


class SurveyOut(BaseModel):
    id: int
    customer_id: int
    case_id: int | None
    language: str
    to_address: str
    sent_at: datetime
    expires_at: datetime
    # waiting, answered or expired (unanswered past its date)
    state: str
    answered_at: datetime | None
    csat: int | None
    nps: int | None
    comment: str

    @classmethod
    def of(cls, survey: Survey, now: datetime) -> SurveyOut:
        if survey.answered_at is not None:
            state = "answered"
        elif now >= survey.expires_at:
            state = "expired"
        else:
            state = "waiting"
        return cls(
            id=survey.id,
            customer_id=survey.customer_id,
            case_id=survey.case_id,
            language=survey.language,
            to_address=survey.to_address,
            sent_at=survey.sent_at,
            expires_at=survey.expires_at,
            state=state,
            answered_at=survey.answered_at,
            csat=survey.csat,
            nps=survey.nps,
            comment=survey.comment,
        )


class SurveyPage(BaseModel):
    items: list[SurveyOut]
    next_offset: int | None


class RewardOut(BaseModel):
    compensation_id: int
    kind: str
    amount: Decimal
    currency: str
    status: str
    rationale: str


class AdvocateOut(BaseModel):
    customer_id: int
    customer: str
    case_id: int | None
    survey_id: int | None
    csat: int | None
    nps: int | None
    proposed_at: datetime
    reward: RewardOut | None


class AdvocateList(BaseModel):
    items: list[AdvocateOut]


class RewardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CompensationKind = CompensationKind.GIFT
    amount: Money = Decimal("0")
    currency: Currency | None = None
    rationale: Text = Field(min_length=3)
