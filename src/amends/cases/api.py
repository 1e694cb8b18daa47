from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic_core import to_json

from amends.cases import service, steps
from amends.cases.rules import CaseState, Category, Severity
from amends.cases.schemas import (
    CaseOut,
    CasePage,
    HandoffIn,
    NotificationOut,
    TimelineEventOut,
)
from amends.fields import MAX_DB_INT
from amends.people.deps import ApiActor
from amends.web.deps import AppClock, DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["cases"], responses=PROBLEM_RESPONSES)
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]


class SortOrder(StrEnum):
    OPENED = "opened"
    URGENCY = "urgency"


@router.get("/cases", response_model=CasePage)
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
    sort: Annotated[
        SortOrder, Query(description="opened: newest first; urgency: nearest SLA deadline first")
    ] = SortOrder.OPENED,
) -> Response:
    f = service.CaseFilter(
        state=state,
        is_open=open,
        owner_id=owner_id,
        customer_id=customer_id,
        severity=severity,
        category=category,
        by_urgency=sort is SortOrder.URGENCY,
    )
    page = service.list_case_views(session, actor=actor, f=f, limit=limit, offset=offset)
    body = {
        "items": page.items,
        "limit": page.limit,
        "offset": page.offset,
        "next_offset": page.next_offset,
    }
    # Serialised here (pydantic's own JSON writer, in Rust) rather than validated again
    # by FastAPI: the owners' list is the page every agent keeps open.
    return Response(to_json(body), media_type="application/json")


@router.post("/cases/{case_id}/handoff", response_model=CaseOut)
def handoff(
    case_id: CaseId, body: HandoffIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> CaseOut:
    """Give the case to another owner; a reason is required and every hand-off is counted."""
    case = steps.handoff(
        session,
        case_id,
        actor=actor,
        now=clock.now(),
        to_user_id=body.to_user_id,
        reason=body.reason,
    )
    return service.present(session, [case])[0]


@router.get("/cases/{case_id}/timeline", response_model=list[TimelineEventOut])
def case_timeline(case_id: CaseId, session: DbSession, actor: ApiActor) -> list[TimelineEventOut]:
    return [
        TimelineEventOut.model_validate(e) for e in service.timeline(session, case_id, actor=actor)
    ]


@router.get("/notifications", response_model=list[NotificationOut])
def my_notifications(
    session: DbSession,
    actor: ApiActor,
    unread: Annotated[bool, Query(description="only unread ones")] = True,
) -> list[NotificationOut]:
    """Escalations, hand-offs to me and approvals I am asked for."""
    return [
        NotificationOut.model_validate(n)
        for n in service.notifications_for(session, actor=actor, unread_only=unread)
    ]


@router.post("/notifications/{notification_id}/read", status_code=204)
def read_notification(
    notification_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> Response:
    service.mark_read(session, notification_id, actor=actor, now=clock.now())
    return Response(status_code=204)
