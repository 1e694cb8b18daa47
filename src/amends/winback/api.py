from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from amends.fields import MAX_DB_INT
from amends.people.deps import ApiActor
from amends.web.deps import AppClock, AppPlaybook, DbSession
from amends.web.problems import PROBLEM_RESPONSES
from amends.winback import reading, service, watch
from amends.winback.rules import WinbackStatus
from amends.winback.schemas import StopIn, WatchItemOut, WinbackOut, WinbackPage

router = APIRouter(tags=["winback"], responses=PROBLEM_RESPONSES)
WinbackId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


@router.get("/winbacks", response_model=WinbackPage)
def list_winbacks(
    session: DbSession,
    actor: ApiActor,
    status: WinbackStatus | None = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> WinbackPage:
    """Win-back sequences, newest first: a manager sees all, anyone else their own."""
    page = reading.list_winbacks(
        session, actor=actor, status=status, customer_id=customer_id, limit=limit, offset=offset
    )
    return WinbackPage(
        items=[WinbackOut(**row) for row in reading.describe(session, page.items)],
        limit=page.limit,
        offset=page.offset,
        next_offset=page.next_offset,
    )


@router.get("/winbacks/{winback_id}", response_model=WinbackOut)
def get_winback(winback_id: WinbackId, session: DbSession, actor: ApiActor) -> WinbackOut:
    item = reading.get_winback(session, winback_id, actor=actor)
    return WinbackOut(**reading.describe(session, [item])[0])


@router.post("/winbacks/{winback_id}/stop", response_model=WinbackOut)
def stop_winback(
    winback_id: WinbackId,
    body: StopIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> WinbackOut:
    """Stop the follow-ups (``no_contact`` when the customer asked for no more contact)
    and/or record the outcome: won back sets the customer's status and starts a watch."""
    item = service.stop(
        session,
        winback_id,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        no_contact=body.no_contact,
        outcome=body.outcome,
        note=body.note,
    )
    return WinbackOut(**reading.describe(session, [item])[0])


@router.get("/watch", response_model=list[WatchItemOut])
def watch_list(session: DbSession, actor: ApiActor, everyone: bool = False) -> list[WatchItemOut]:
    """Deliveries watched after a recovery, soonest first: yours, or (managers) everyone's."""
    return [
        WatchItemOut(**row) for row in watch.watch_list(session, actor=actor, everyone=everyone)
    ]
