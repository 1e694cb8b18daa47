from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from amends.coach import service
from amends.coach.rules import check
from amends.coach.templates import STEPS
from amends.config import Settings
from amends.fields import MAX_DB_INT, Text
from amends.people.deps import ApiActor
from amends.people.rules import Action
from amends.people.service import require
from amends.text.languages import LANGUAGES
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.problems import PROBLEM_RESPONSES

_LANG_CHOICES = ("auto", *LANGUAGES)


def _known_lang(value: str) -> str:
    if value not in _LANG_CHOICES:
        raise ValueError(f"use one of {', '.join(_LANG_CHOICES)}")
    return value


router = APIRouter(prefix="/coach", tags=["coach"], responses=PROBLEM_RESPONSES)
drafts = APIRouter(tags=["coach"], responses=PROBLEM_RESPONSES)


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


class DraftOut(BaseModel):
    case_id: int
    step: str
    language: str
    text: str
    findings: list[FindingOut]


@drafts.get("/cases/{case_id}/draft", response_model=DraftOut)
def draft(
    case_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    settings: Annotated[Settings, Depends(get_settings)],
    step: Annotated[
        str, Query(json_schema_extra={"enum": list(STEPS)}, max_length=30)
    ] = "acknowledgment",
    lang: Annotated[str | None, Query(max_length=35)] = None,
) -> DraftOut:
    """The step's message for the case, filled in, in the customer's language (or
    ``lang``), with the coach's findings: what `amends coach draft` and the case page's
    "draft" give."""
    require(actor, Action.WRITE)
    return DraftOut.model_validate(
        service.draft(
            session,
            case_id,
            step=step,
            lang=lang,
            actor=actor,
            now=clock.now(),
            business=settings.workspace_name,
        )
    )
