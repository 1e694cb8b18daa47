from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from amends.fields import MAX_DB_INT, UTCTime
from amends.people.deps import ApiActor
from amends.reports import paradox, service
from amends.web.deps import AppClock, DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/reports", tags=["reports"], responses=PROBLEM_RESPONSES)
TeamId = Annotated[
    int | None, Query(ge=1, le=MAX_DB_INT, description="only cases owned by this team")
]


@router.get("/recovery")
def recovery(
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    since: UTCTime | None = None,
    until: UTCTime | None = None,
    team_id: TeamId = None,
) -> dict[str, Any]:
    """Time to acknowledge (median, p90, within SLA, in bands), hand-offs, one-interaction
    fixes, outcomes, repeat rate — overall, by owner and by category, for cases opened in
    [since, until); attainment week by week and the open cases by age."""
    return service.recovery_report(
        session, actor=actor, since=since, until=until, team_id=team_id, now=clock.now()
    )


@router.get("/recovery-paradox")
def recovery_paradox(
    session: DbSession,
    actor: ApiActor,
    since: UTCTime | None = None,
    until: UTCTime | None = None,
) -> dict[str, Any]:
    """Satisfaction (survey answers in the period) and retention of customers whose failure
    was recovered in [since, until), against customers who never had a failure."""
    return paradox.recovery_paradox(session, actor=actor, since=since, until=until)
