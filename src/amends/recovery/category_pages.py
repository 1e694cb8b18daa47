"""The case page's category form: an agent sets (or confirms) what a case is about.

It posts, calls ``flows.update_case`` as ``PATCH /api/v1/cases/{id}`` and
``amends cases set-category`` do, and redirects; the change goes on the timeline with
the category before and after. A refusal shows the case page again with the reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from amends.cases.rules import Category
from amends.errors import InvalidInput
from amends.fields import MAX_DB_INT
from amends.people.deps import SignedIn
from amends.recovery import flows
from amends.recovery.merge_pages import _refused_page
from amends.recovery.pages import _attempt
from amends.web.deps import AppClock, AppPlaybook, DbSession
from amends.web.session import check_csrf
from amends.web.vocabulary import N_

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise InvalidInput.saying(
            N_("%(value)s is not a category"), code="invalid-input", value=value
        ) from None


@router.post("/cases/{case_id}/category")
def set_category(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    category: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    error = _attempt(
        session,
        lambda: flows.update_case(
            session,
            case_id,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            changes={"category": _category(category)},
        ),
    )
    if error is not None:
        return _refused_page(request, session, user, clock, playbook, case_id, error, "category")
    return RedirectResponse(f"/cases/{case_id}?done=category", status_code=303)
