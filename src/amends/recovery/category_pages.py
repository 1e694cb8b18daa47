"""The case page's category form: an agent sets (or confirms) what a case is about.

It posts, calls ``flows.update_case`` as ``PATCH /api/v1/cases/{id}`` and
``amends cases set-category`` do, and redirects; the change goes on the timeline with
the category before and after. A refusal shows the case page again with the reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path
from fastapi.responses import Response

from amends.cases.rules import Category
from amends.errors import InvalidInput
from amends.fields import MAX_DB_INT
from amends.recovery import flows
from amends.recovery.pages import CasePost
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
    page: CasePost,
    case_id: CaseId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    category: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    return page.act(
        case_id,
        csrf_token,
        lambda: flows.update_case(
            page.session,
            case_id,
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
            changes={"category": _category(category)},
        ),
        form="category",
        result="category",
    )
