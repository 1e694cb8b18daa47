"""The customers list and the commitments board.

The list searches name, address or external id (folded as the inbox folds them) and
filters by status, tier, language or at risk, a page at a time; the same
``customers.list_customers`` answers ``GET /api/v1/customers`` and ``amends customers``.
The board reads ``commitments.board``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from amends.cases import service as cases
from amends.commitments import board
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.customers.rules import CustomerStatus, Tier
from amends.people.deps import SignedIn
from amends.people.rules import Action
from amends.web.deps import AppClock, DbSession
from amends.web.render import render

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
Short = Annotated[str, Query(max_length=35)]


@router.get("/customers", response_class=HTMLResponse)
def customer_list(
    request: Request,
    session: DbSession,
    user: SignedIn,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Short = "",
    tier: Short = "",
    language: Short = "",
    at_risk: Short = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    wanted_status = CustomerStatus(status) if status in set(CustomerStatus) else None
    if at_risk:
        wanted_status = CustomerStatus.AT_RISK
    wanted_tier = Tier(tier) if tier in set(Tier) else None
    page = customers.list_customers(
        session,
        actor=user.actor,
        limit=PER_PAGE,
        offset=offset,
        status=wanted_status,
        tier=wanted_tier,
        language=language or None,
        query=q,
    )
    languages = list(
        session.scalars(select(Customer.language).distinct().order_by(Customer.language).limit(100))
    )
    kept = {
        k: v
        for k, v in {
            "q": q,
            "status": status,
            "tier": tier,
            "language": language,
            "at_risk": at_risk,
        }.items()
        if v
    }
    return render(
        request,
        "customer_list.html",
        user.ctx,
        items=page.items,
        q=q,
        status=wanted_status.value if wanted_status else "",
        tier=wanted_tier.value if wanted_tier else "",
        language=language,
        at_risk=bool(at_risk),
        statuses=list(CustomerStatus),
        tiers=list(Tier),
        languages=languages,
        previous=urlencode({**kept, "offset": max(0, offset - PER_PAGE)}) if offset else "",
        following=urlencode({**kept, "offset": page.next_offset})
        if page.next_offset is not None
        else "",
    )


@router.get("/commitments", response_class=HTMLResponse)
def commitments_board(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
) -> Response:
    """Due in the next seven days, and missed and not yet in a case, by owner. Managers
    and owners see every owner's lane; anyone else sees the promises they own."""
    everyone = user.actor.allows(Action.MANAGE)
    lanes = board.board(
        session,
        actor=user.actor,
        now=clock.now(),
        owner_id=None if everyone else user.actor.user_id,
    )
    items = [i for lane in lanes for i in (*lane.due, *lane.missed)]
    owners = cases.owner_names(session, {lane.owner_id for lane in lanes if lane.owner_id})
    named = select(Customer.id, Customer.name).where(
        Customer.id.in_({i.customer_id for i in items})
    )
    names: dict[int, str] = dict(session.execute(named).all())
    return render(
        request,
        "commitments_board.html",
        user.ctx,
        lanes=lanes,
        owners=owners,
        customers=names,
        everyone=everyone,
        days=board.DAYS,
    )
