"""The customer's expectations page: every promise and how each occurrence went."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from amends.commitments import ledger
from amends.customers import service as customers
from amends.fields import MAX_DB_INT
from amends.people.deps import SignedIn
from amends.web.deps import AppClock, DbSession
from amends.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/customers/{customer_id}/expectations", response_class=HTMLResponse)
def customer_expectations(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
) -> Response:
    # The same reader as the API and the CLI, so the three never disagree on a mark.
    customer = customers.get_customer(session, customer_id, actor=user.actor)
    view = ledger.expectations(session, customer_id, actor=user.actor, now=clock.now())
    promises = [
        {
            "commitment": commitment,
            "occurrences": list(reversed(occs)),  # the newest first: what matters now
            "tally": Counter(o.status.value for o in occs),
        }
        for commitment, occs in view
    ]
    return render(
        request,
        "customer_expectations.html",
        user.ctx,
        customer=customer,
        promises=promises,
        now=clock.now(),
    )
