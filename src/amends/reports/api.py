from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from amends.fields import UTCTime
from amends.people.deps import ApiActor
from amends.reports import service
from amends.web.deps import DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/reports", tags=["reports"], responses=PROBLEM_RESPONSES)


@router.get("/recovery")
def recovery(
    session: DbSession,
    actor: ApiActor,
    since: UTCTime | None = None,
    until: UTCTime | None = None,
) -> dict[str, Any]:
    """Time to acknowledge (median, p90, within SLA), hand-offs, one-interaction fixes,
    outcomes — overall, by owner and by category, for cases opened in [since, until)."""
    return service.recovery_report(session, actor=actor, since=since, until=until)
