from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from amends.coach.rules import check
from amends.fields import Text
from amends.people.deps import ApiActor
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/coach", tags=["coach"], responses=PROBLEM_RESPONSES)


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text = Field(min_length=1, max_length=50_000)
    lang: Literal["auto", "en", "th", "sk", "cs", "el"] = "auto"


class FindingOut(BaseModel):
    code: str
    start: int | None
    end: int | None
    excerpt: str | None
    explanation: str
    suggestion: str


class CheckOut(BaseModel):
    language: str
    findings: list[FindingOut]


@router.post("/check", response_model=CheckOut)
async def coach_check(body: CheckIn, actor: ApiActor) -> CheckOut:
    """Findings for a draft message: blame, excuses, half-apologies, what is missing."""
    return CheckOut.model_validate(check(body.text, body.lang).as_dict())
