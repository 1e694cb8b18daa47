from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from amends.cases import service
from amends.cases.rules import CaseState, Category, Severity
from amends.cases.schemas import (
    CaseCreate,
    CaseOut,
    CasePage,
    CaseTransition,
    CaseUpdate,
    TimelineEventOut,
)
from amends.fields import MAX_DB_INT
from amends.web.deps import ApiActor, AppClock, DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/cases", tags=["cases"], responses=PROBLEM_RESPONSES)
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]


@router.get("", response_model=CasePage)
def list_cases(
    session: DbSession,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    state: CaseState | None = None,
    open: Annotated[bool | None, Query(description="only open (true) or closed (false)")] = None,
    owner_id: FilterId = None,
    customer_id: FilterId = None,
    severity: Severity | None = None,
    category: Category | None = None,
) -> CasePage:
    page = service.list_cases(
        session,
        actor=actor,
        limit=limit,
        offset=offset,
        state=state,
        is_open=open,
        owner_id=owner_id,
        customer_id=customer_id,
        severity=severity,
        category=category,
    )
    return CasePage(
        items=service.present(session, page.items),
        limit=page.limit,
        offset=page.offset,
        next_offset=page.next_offset,
    )


@router.post("", response_model=CaseOut, status_code=201)
def open_case(body: CaseCreate, session: DbSession, actor: ApiActor, clock: AppClock) -> CaseOut:
    case = service.open_case(session, actor=actor, now=clock.now(), **body.model_dump())
    return service.present(session, [case])[0]


@router.get("/{case_id}", response_model=CaseOut)
def get_case(case_id: CaseId, session: DbSession, actor: ApiActor) -> CaseOut:
    return service.present(session, [service.get_case(session, case_id, actor=actor)])[0]


@router.patch("/{case_id}", response_model=CaseOut)
def update_case(
    case_id: CaseId, body: CaseUpdate, session: DbSession, actor: ApiActor, clock: AppClock
) -> CaseOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    case = service.update_case(session, case_id, actor=actor, now=clock.now(), changes=changes)
    return service.present(session, [case])[0]


@router.post("/{case_id}/transition", response_model=CaseOut)
def transition(
    case_id: CaseId, body: CaseTransition, session: DbSession, actor: ApiActor, clock: AppClock
) -> CaseOut:
    case = service.move_to(
        session,
        case_id,
        actor=actor,
        now=clock.now(),
        state=body.state,
        outcome=body.outcome,
        note=body.note,
    )
    return service.present(session, [case])[0]


@router.get("/{case_id}/timeline", response_model=list[TimelineEventOut])
def case_timeline(case_id: CaseId, session: DbSession, actor: ApiActor) -> list[TimelineEventOut]:
    return [
        TimelineEventOut.model_validate(e) for e in service.timeline(session, case_id, actor=actor)
    ]
