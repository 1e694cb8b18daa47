from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from amends.fields import UTCTime
from amends.people.deps import ApiActor
from amends.reports import paradox, service
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
    report = service.recovery_report(session, actor=actor, since=since, until=until)
    report["recovery_paradox"] = paradox.recovery_paradox(
        session, actor=actor, since=since, until=until
    )
    return report


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
