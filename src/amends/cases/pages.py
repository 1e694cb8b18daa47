from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from amends.cases import service
from amends.cases.rules import CaseState
from amends.customers.models import Customer
from amends.people.deps import SignedIn
from amends.web.deps import DbSession
from amends.web.render import render

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
