"""The bell's page: what a person must know about (escalations, repeats, approvals
waiting for them, cases handed to them), each linking to its case, marked read by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amends.cases import service
from amends.fields import MAX_DB_INT
from amends.people.deps import SignedIn
from amends.web.deps import AppClock, DbSession
from amends.web.render import render
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)
NotificationId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
SHOWN = 200


@router.get("/notifications", response_class=HTMLResponse)
def notification_list(request: Request, session: DbSession, user: SignedIn) -> Response:
    items = service.notifications_for(session, actor=user.actor, unread_only=False, limit=SHOWN)
    return render(request, "notifications.html", user.ctx, items=items)


@router.post("/notifications/read")
def read_all(
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    service.mark_all_read(session, actor=user.actor, now=clock.now())
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/{notification_id}/read")
def read_one(
    notification_id: NotificationId,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    then: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Mark one read; ``then=case`` goes on to its case (the "open" button does both)."""
    check_csrf(user.csrf_token, csrf_token)
    item = service.mark_read(session, notification_id, actor=user.actor, now=clock.now())
    if then == "case" and item.case_id is not None:
        return RedirectResponse(f"/cases/{item.case_id}", status_code=303)
    return RedirectResponse("/notifications", status_code=303)
