from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from amends.cases import service, statements, steps
from amends.cases.schemas import (
    CaseOut,
    HandoffIn,
    NotificationOut,
    StatementIn,
    StatementOut,
    TimelineEventOut,
    WaiverIn,
)
from amends.errors import InvalidInput
from amends.fields import MAX_DB_INT
from amends.people import service as people
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


@router.post("/cases/{case_id}/statement", response_model=StatementOut)
def record_statement(
    case_id: CaseId, body: StatementIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> StatementOut:
    """The named employee gives their side of the complaint, as themselves."""
    row = statements.record_statement(
        session, case_id, actor=actor, text=body.text, now=clock.now()
    )
    return StatementOut.of(*statements.named(session, case_id, row.user_id, actor=actor).parts)


@router.post("/cases/{case_id}/statement-waiver", response_model=StatementOut)
def waive_statement(
    case_id: CaseId, body: WaiverIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> StatementOut:
    """A manager lets the case close without a named employee's statement, with the reason;
    the employee by ``user_id`` or by ``user`` (their email)."""
    if body.user_id is not None:
        user_id = body.user_id
    elif body.user:
        user_id = people.user_by_email(session, body.user).id
    else:
        raise InvalidInput("say whose statement: user_id or user", code="waiver-user-missing")
    statements.waive_statement(
        session, case_id, actor=actor, user_id=user_id, reason=body.reason, now=clock.now()
    )
    return StatementOut.of(*statements.named(session, case_id, user_id, actor=actor).parts)


@router.get("/people/statements", response_model=list[StatementOut], tags=["people"])
def pending_statements(session: DbSession, actor: ApiActor) -> list[StatementOut]:
    """Statements still owed on open cases: everyone's, or an employee's own."""
    return [StatementOut.of(*n.parts) for n in statements.pending_statements(session, actor=actor)]
