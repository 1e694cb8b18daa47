"""Pages that show several domains at once: a case with its messages, a customer with
their promises and cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.commitments import service as commitments
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.fields import MAX_DB_INT
from amends.messages import service as messages
from amends.people.deps import PageUser, SignedIn
from amends.recovery import view
from amends.recovery.facts import CaseFacts
from amends.web.deps import DbSession
from amends.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_detail(
    request: Request,
    session: DbSession,
    user: SignedIn,
    case_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
) -> Response:
    case = cases.get_case(session, case_id, actor=user.actor)
    events = cases.timeline(session, case_id, actor=user.actor)
    thread = messages.list_messages(session, actor=user.actor, case_id=case_id, limit=500).items
    people = cases.owner_names(
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
        facts=case_facts(request, session, user, case_id),
    )


def case_facts(request: Request, session: Session, user: PageUser, case_id: int) -> CaseFacts:
    """The read-only panels of the case page (_case_facts.html), from the one case view."""
    state = request.app.state
    shown = view.case_view(
        session, case_id, actor=user.actor, playbook=state.playbook, now=state.clock.now()
    )
    return CaseFacts(shown, user.ctx.language)


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_detail(
    request: Request,
    session: DbSession,
    user: SignedIn,
    customer_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
) -> Response:
    customer = customers.get_customer(session, customer_id, actor=user.actor)
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
