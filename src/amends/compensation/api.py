"""The compensation ledger report over JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from amends.compensation import report
from amends.config import Settings
from amends.fields import MAX_DB_INT, UTCTime
from amends.people.deps import ApiActor
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/reports", tags=["reports"], responses=PROBLEM_RESPONSES)
TeamId = Annotated[
    int | None, Query(ge=1, le=MAX_DB_INT, description="only cases owned by this team")
]


@router.get("/compensation")
def compensation_ledger(
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    settings: Annotated[Settings, Depends(get_settings)],
    since: UTCTime | None = None,
    until: UTCTime | None = None,
    team_id: TeamId = None,
    entries: Annotated[
        bool, Query(description="also list each compensation given, with its customer")
    ] = False,
) -> dict[str, Any]:
    """Compensation given per month against the recurring revenue still earned from those
    customers afterwards (recovery return), for compensation given in [since, until)."""
    return report.ledger_report(
        session,
        actor=actor,
        now=clock.now(),
        timezone=settings.timezone,
        since=since,
        until=until,
        team_id=team_id,
        entries=entries,
    )
