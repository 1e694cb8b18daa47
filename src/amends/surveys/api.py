from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from amends.compensation.schemas import CompensationOut
from amends.config import Settings
from amends.fields import MAX_DB_INT
from amends.people.deps import ApiActor
from amends.surveys import service
from amends.surveys.schemas import (
    AdvocateList,
    AdvocateOut,
    RewardIn,
    SurveyOut,
    SurveyPage,
    SurveySend,
)
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["surveys"], responses=PROBLEM_RESPONSES)
ObjectId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
AppSettings = Annotated[Settings, Depends(get_settings)]


@router.get("/surveys", response_model=SurveyPage)
def list_surveys(
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    case_id: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
    answered: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> SurveyPage:
    page = service.list_surveys(
        session,
        actor=actor,
        case_id=case_id,
        customer_id=customer_id,
        answered=answered,
        limit=limit,
        offset=offset,
    )
    now = clock.now()
    return SurveyPage(
        items=[SurveyOut.of(s, now) for s in page.items], next_offset=page.next_offset
    )


@router.post("/surveys", response_model=SurveyOut, status_code=201)
def send_survey(
    body: SurveySend,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
    settings: AppSettings,
) -> SurveyOut:
    """Send a satisfaction survey through the outbox: about a closed case, or (with only
    ``customer_id``) about the relationship. Refused for customers we parted ways with."""
    survey = service.send_survey(
        session,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        mailing=service.mailing_for(settings),
        case_id=body.case_id,
        customer_id=body.customer_id,
    )
    return SurveyOut.of(survey, clock.now())


@router.get("/surveys/{survey_id}", response_model=SurveyOut)
def get_survey(
    survey_id: ObjectId, session: DbSession, actor: ApiActor, clock: AppClock
) -> SurveyOut:
    return SurveyOut.of(service.get_survey(session, survey_id, actor=actor), clock.now())


@router.get("/advocates", response_model=AdvocateList)
def list_advocates(session: DbSession, actor: ApiActor) -> AdvocateList:
    """Customers proposed as advocates (NPS 9–10, or CSAT 5 without an NPS, after a
    recovered case), with the reward given to each."""
    rows = service.list_advocates(session, actor=actor)
    return AdvocateList(items=[AdvocateOut.model_validate(r.as_dict()) for r in rows])


@router.post("/advocates/{customer_id}/reward", response_model=CompensationOut, status_code=201)
def reward_advocate(
    customer_id: ObjectId,
    body: RewardIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> CompensationOut:
    given = service.reward_advocate(
        session,
        customer_id,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        kind=body.kind.value,
        amount=body.amount,
        currency=body.currency,
        rationale=body.rationale,
    )
    return CompensationOut.model_validate(given)
