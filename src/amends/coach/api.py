from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from amends.coach.rules import check
from amends.fields import Text
from amends.people.deps import ApiActor
from amends.text.languages import LANGUAGES
from amends.web.problems import PROBLEM_RESPONSES

_LANG_CHOICES = ("auto", *LANGUAGES)


def _known_lang(value: str) -> str:
    if value not in _LANG_CHOICES:
        raise ValueError(f"use one of {', '.join(_LANG_CHOICES)}")
    return value


router = APIRouter(prefix="/coach", tags=["coach"], responses=PROBLEM_RESPONSES)


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text = Field(min_length=1, max_length=50_000)
    # The choices come from the one language list; the schema still lists them.
    lang: Annotated[
        str, AfterValidator(_known_lang), Field(json_schema_extra={"enum": list(_LANG_CHOICES)})
    ] = "auto"


class FindingOut(BaseModel):
    code: str
    start: int | None
    end: int | None
    excerpt: str | None
    explanation: str
    suggestion: str
    learned: bool = Field(
        description="found by the learned model, not the lexicons' exact words: a warning "
        "that never refuses a reply on its own"
    )


class CheckOut(BaseModel):
    language: str
    findings: list[FindingOut]


@router.post("/check", response_model=CheckOut)
async def coach_check(body: CheckIn, actor: ApiActor) -> CheckOut:
    """Findings for a draft message: blame, excuses, half-apologies, what is missing."""
    return CheckOut.model_validate(check(body.text, body.lang).as_dict())
