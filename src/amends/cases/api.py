from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from amends.cases import service, steps
from amends.cases.schemas import (
    CaseOut,
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
# The case list (GET /cases, with search) is in recovery.inbox: search reads messages.
FilterId = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]


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
