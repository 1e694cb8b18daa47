"""The case page's forms for what a named employee says: their statement of their side
of the complaint, or a manager's waiver of it, through ``cases.statements`` as the API
and the CLI do; a refusal shows the case page again beside the participants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from amends.cases import statements
from amends.recovery.pages import CaseId, CasePost, Csrf
from amends.web import forms

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/statement")
def give_statement(
    page: CasePost,
    case_id: CaseId,
    csrf_token: Csrf = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """The named employee records their side of the complaint."""
    return page.act(
        case_id,
        csrf_token,
        lambda: statements.record_statement(
            page.session, case_id, actor=page.user.actor, text=text, now=page.clock.now()
        ),
        form="participants",
        result="statement",
        anchor="participants",
    )


@router.post("/cases/{case_id}/statement-waiver")
def waive_statement(
    page: CasePost,
    case_id: CaseId,
    user_id: Annotated[str, Form(max_length=20)],
    csrf_token: Csrf = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A manager lets the case close without a named employee's statement, saying why."""
    return page.act(
        case_id,
        csrf_token,
        lambda: statements.waive_statement(
            page.session,
            case_id,
            actor=page.user.actor,
            user_id=forms.choice(int, user_id),
            reason=reason,
            now=page.clock.now(),
        ),
        form="participants",
        result="waived",
        anchor="participants",
    )
