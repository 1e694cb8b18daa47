from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from amends.cases import service
from amends.cases.rules import CaseState
from amends.customers.models import Customer
from amends.fields import MAX_DB_INT
from amends.messages import service as messages
from amends.web.deps import DbSession
from amends.web.render import render
from amends.web.session import SignedIn

router = APIRouter(include_in_schema=False)


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    session: DbSession,
    user: SignedIn,
    state: CaseState | None = None,
    open: bool | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    page = service.list_cases(
        session, actor=user.actor, state=state, is_open=open, limit=50, offset=offset
    )
    owners = service.owner_names(session, {c.owner_id for c in page.items})
    customer_ids = {c.customer_id for c in page.items}
    customers = {
        c.id: c for c in (session.get(Customer, cid) for cid in customer_ids) if c is not None
    }
    return render(
        request,
        "case_list.html",
        user.ctx,
        results=page,
        owners=owners,
        customers=customers,
        states=list(CaseState),
        current_state=state,
        only_open=open,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_detail(
    request: Request,
    session: DbSession,
    user: SignedIn,
    case_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
) -> Response:
    case = service.get_case(session, case_id, actor=user.actor)
    events = service.timeline(session, case_id, actor=user.actor)
    thread = messages.list_messages(session, actor=user.actor, case_id=case_id, limit=500).items
    people = service.owner_names(
        session, {case.owner_id} | {e.actor_id for e in events if e.actor_id is not None}
    )
    return render(
        request,
        "case_detail.html",
        user.ctx,
        case=case,
        events=events,
        thread=thread,
        people=people,
        customer=session.get(Customer, case.customer_id),
    )
