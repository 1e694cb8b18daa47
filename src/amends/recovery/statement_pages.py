"""The case page's forms for what a named employee says: their statement of their side
of the complaint, or a manager's waiver of it, through ``cases.statements`` as the API
and the CLI do; a refusal shows the case page again beside the participants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from amends.cases import statements
from amends.people.deps import SignedIn
from amends.recovery.pages import CaseId, Csrf, back_to_case, refusal_page
from amends.web import forms
from amends.web.deps import AppClock, AppPlaybook, DbSession
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/statement")
def give_statement(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    csrf_token: Csrf = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """The named employee records their side of the complaint."""
    check_csrf(user.csrf_token, csrf_token)
    refused = forms.attempt(
        session,
        lambda: statements.record_statement(
            session, case_id, actor=user.actor, text=text, now=clock.now()
        ),
    )
    if refused is not None:
        return refusal_page(
            request, session, user, clock, playbook, case_id, refused, "participants"
        )
    return back_to_case(case_id, "statement", "participants")


@router.post("/cases/{case_id}/statement-waiver")
def waive_statement(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    user_id: Annotated[str, Form(max_length=20)],
    csrf_token: Csrf = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A manager lets the case close without a named employee's statement, saying why."""
    check_csrf(user.csrf_token, csrf_token)
    refused = forms.attempt(
        session,
        lambda: statements.waive_statement(
            session,
            case_id,
            actor=user.actor,
            user_id=forms.choice(int, user_id),
            reason=reason,
            now=clock.now(),
        ),
    )
    if refused is not None:
        return refusal_page(
            request, session, user, clock, playbook, case_id, refused, "participants"
        )
    return back_to_case(case_id, "waived", "participants")
