from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from amends.cases import service as cases
from amends.commitments import service as commitments
from amends.customers import service
from amends.fields import MAX_DB_INT
from amends.web.deps import DbSession
from amends.web.render import render
from amends.web.session import SignedIn

router = APIRouter(include_in_schema=False)


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_detail(
    request: Request,
    session: DbSession,
    user: SignedIn,
    customer_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
) -> Response:
    customer = service.get_customer(session, customer_id, actor=user.actor)
    promised = commitments.list_commitments(
        session, actor=user.actor, customer_id=customer_id, limit=200
    ).items
    history = cases.list_cases(session, actor=user.actor, customer_id=customer_id, limit=200)
    owners = cases.owner_names(session, {c.owner_id for c in history.items})
    return render(
        request,
        "customer_detail.html",
        user.ctx,
        customer=customer,
        commitments=promised,
        cases=history.items,
        owners=owners,
    )
