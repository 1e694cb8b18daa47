"""The case page's step forms: a playbook step done, a reply sent, compensation given and
decided, a hand-off and closing the case. Each calls the same ``recovery.flows`` the API
and the CLI call and comes back to the case page (POST-redirect-GET); a refusal shows
the page again with its reason beside the form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from amends.cases import service as cases
from amends.cases import steps as case_steps
from amends.cases.rules import Outcome, Step
from amends.compensation import service as compensations
from amends.compensation.rules import CompensationStatus
from amends.errors import InvalidInput, NotFound
from amends.fields import MAX_DB_INT
from amends.people.deps import SignedIn
from amends.recovery import conversation, flows
from amends.recovery.pages import CaseId, Composer, Csrf, back_to_case, refusal_page
from amends.web import forms
from amends.web.deps import AppClock, AppPlaybook, DbSession
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/steps")
def perform_step(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    step: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    call_note: Annotated[str, Form(max_length=5000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    refused = forms.attempt(
        session,
        lambda: flows.perform_steps(
            session,
            case_id,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            steps=[forms.choice(Step, step)],
            note=note.strip(),
            call_note=call_note.strip() or None,
        ),
    )
    if refused is not None:
        return refusal_page(request, session, user, clock, playbook, case_id, refused, "steps")
    return back_to_case(case_id, "steps", "playbook")


@router.post("/cases/{case_id}/replies")
def send_reply(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    csrf_token: Csrf = "",
    text: Annotated[str, Form(max_length=50_000)] = "",
    steps: Annotated[list[str] | None, Form()] = None,
    override_reason: Annotated[str, Form(max_length=2000)] = "",
    template: Annotated[str, Form(max_length=30)] = "",
    offer_kind: Annotated[str, Form(max_length=30)] = "",
    offer_amount: Annotated[str, Form(max_length=30)] = "",
    offer_currency: Annotated[str, Form(max_length=3)] = "",
    seen_message_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Send a reply; one that offers compensation completes the compensate step with it,
    and waits in the outbox when a manager must approve what it offers. One written
    before a newer message came in is refused once, so the writer reads it first."""
    check_csrf(user.csrf_token, csrf_token)
    seen = forms.choice(int, seen_message_id) if seen_message_id.strip() else None
    composer = Composer(
        text=text, template=template, override_open=bool(override_reason), seen=seen
    )
    wanted = [Step(s) for s in steps or [] if s in set(Step)]
    if offer_kind and Step.COMPENSATE not in wanted:
        wanted.append(Step.COMPENSATE)
    if not text.strip():
        empty = InvalidInput("the reply is empty", code="reply-empty")
        return refusal_page(
            request, session, user, clock, playbook, case_id, empty, "reply", composer
        )
    sent: list[conversation.Reply] = []

    def act() -> None:
        offer = (
            flows.CompensationInput(
                offer_kind,
                forms.amount(offer_amount),
                offer_currency.strip().upper() or None,
                text.strip()[:200],
            )
            if offer_kind
            else None
        )
        sent.append(
            conversation.send_reply(
                session,
                case_id,
                actor=user.actor,
                now=clock.now(),
                playbook=playbook,
                text=text,
                steps=wanted,
                compensation=offer,
                override_reason=override_reason.strip() or None,
                seen_message_id=seen,
            )
        )

    refused = forms.attempt(session, act)
    if refused is not None:
        composer.override_open = refused.code == "coach-findings"
        return refusal_page(
            request, session, user, clock, playbook, case_id, refused, "reply", composer
        )
    held = sent[0].outbox.status.value == "held"
    return back_to_case(case_id, "held" if held else "sent", "messages")


def _approves(decision: str) -> bool:
    if decision not in {"approve", "decline"}:
        raise ValueError(decision)
    return decision == "approve"


@router.post("/cases/{case_id}/compensation")
def give_compensation(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    kind: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    amount: Annotated[str, Form(max_length=30)] = "0",
    currency: Annotated[str, Form(max_length=3)] = "",
    rationale: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    given: list[flows.StepResult] = []

    def act() -> None:
        given.append(
            flows.compensate(
                session,
                case_id,
                actor=user.actor,
                now=clock.now(),
                playbook=playbook,
                given=flows.CompensationInput(
                    kind, forms.amount(amount), currency.strip().upper() or None, rationale.strip()
                ),
            )
        )

    refused = forms.attempt(session, act)
    if refused is not None:
        return refusal_page(
            request, session, user, clock, playbook, case_id, refused, "compensation"
        )
    item = next(
        (c for c in compensations.for_case(session, case_id) if c.id == given[0].compensation_id),
        None,
    )
    requested = item is not None and item.status is CompensationStatus.REQUESTED
    return back_to_case(case_id, "requested" if requested else "granted", "compensation")


@router.post("/cases/{case_id}/compensation/{compensation_id}/decision")
def decide_compensation(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    compensation_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    decision: Annotated[str, Form(max_length=10)],
    csrf_token: Csrf = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    cases.get_case(session, case_id, actor=user.actor)
    if all(c.id != compensation_id for c in compensations.for_case(session, case_id)):
        raise NotFound(
            f"compensation {compensation_id} is not on this case", code="compensation-not-found"
        )
    approve = decision == "approve"  # for the result message; _approves checks it
    refused = forms.attempt(
        session,
        lambda: flows.decide_compensation(
            session,
            compensation_id,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            approve=forms.choice(_approves, decision),
            note=note.strip(),
        ),
    )
    if refused is not None:
        return refusal_page(
            request, session, user, clock, playbook, case_id, refused, "compensation"
        )
    return back_to_case(case_id, "approved" if approve else "declined", "compensation")


@router.post("/cases/{case_id}/handoff")
def hand_off(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    to_user_id: Annotated[str, Form(max_length=20)],
    csrf_token: Csrf = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    refused = forms.attempt(
        session,
        lambda: case_steps.handoff(
            session,
            case_id,
            actor=user.actor,
            now=clock.now(),
            to_user_id=forms.choice(int, to_user_id),
            reason=reason,
        ),
    )
    if refused is not None:
        return refusal_page(request, session, user, clock, playbook, case_id, refused, "handoff")
    return back_to_case(case_id, "handoff")


@router.post("/cases/{case_id}/close")
def close_case(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    outcome: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    refused = forms.attempt(
        session,
        lambda: flows.perform_steps(
            session,
            case_id,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            steps=[Step.CLOSE],
            outcome=forms.choice(Outcome, outcome),
            note=note.strip(),
        ),
    )
    if refused is not None:
        return refusal_page(request, session, user, clock, playbook, case_id, refused, "close")
    return back_to_case(case_id, "closed")
