"""The case page's step forms: a playbook step done, a reply sent, compensation given and
decided, a hand-off and closing the case. Each calls the same ``recovery.flows`` the API
and the CLI call and comes back to the case page (POST-redirect-GET); a refusal shows
the page again with its reason beside the form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path
from fastapi.responses import Response

from amends.cases import service as cases
from amends.cases import steps as case_steps
from amends.cases.rules import Outcome, Step
from amends.compensation import service as compensations
from amends.compensation.rules import CompensationStatus
from amends.errors import AmendsError, InvalidInput, NotFound
from amends.fields import MAX_DB_INT
from amends.recovery import conversation, flows
from amends.recovery.pages import CaseId, CasePost, Composer, Csrf
from amends.web import forms
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/steps")
def perform_step(
    page: CasePost,
    case_id: CaseId,
    step: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    call_note: Annotated[str, Form(max_length=5000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return page.act(
        case_id,
        csrf_token,
        lambda: flows.perform_steps(
            page.session,
            case_id,
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
            steps=[forms.choice(Step, step)],
            note=note.strip(),
            call_note=call_note.strip() or None,
        ),
        form="steps",
        result="steps",
        anchor="playbook",
    )


@router.post("/cases/{case_id}/replies")
def send_reply(
    page: CasePost,
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
    # Checked before the form is read, as every form is: an empty reply is refused below
    # without being tried.
    check_csrf(page.user.csrf_token, csrf_token)
    seen = forms.choice(int, seen_message_id) if seen_message_id.strip() else None
    composer = Composer(
        text=text, template=template, override_open=bool(override_reason), seen=seen
    )
    wanted = [Step(s) for s in steps or [] if s in set(Step)]
    if offer_kind and Step.COMPENSATE not in wanted:
        wanted.append(Step.COMPENSATE)
    if not text.strip():
        empty = InvalidInput("the reply is empty", code="reply-empty")
        return page.refused(case_id, empty, "reply", composer)

    def act() -> conversation.Reply:
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
        return conversation.send_reply(
            page.session,
            case_id,
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
            text=text,
            steps=wanted,
            compensation=offer,
            override_reason=override_reason.strip() or None,
            seen_message_id=seen,
        )

    def reopened(refused: AmendsError) -> Composer:
        composer.override_open = refused.code == "coach-findings"
        return composer

    return page.act(
        case_id,
        csrf_token,
        act,
        form="reply",
        result=lambda sent: "held" if sent.outbox.status.value == "held" else "sent",
        anchor="messages",
        composer=reopened,
    )


def _approves(decision: str) -> bool:
    if decision not in {"approve", "decline"}:
        raise ValueError(decision)
    return decision == "approve"


@router.post("/cases/{case_id}/compensation")
def give_compensation(
    page: CasePost,
    case_id: CaseId,
    kind: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    amount: Annotated[str, Form(max_length=30)] = "0",
    currency: Annotated[str, Form(max_length=3)] = "",
    rationale: Annotated[str, Form(max_length=2000)] = "",
) -> Response:

    def result(given: flows.StepResult) -> str:
        given_now = compensations.for_case(page.session, case_id)
        item = next((c for c in given_now if c.id == given.compensation_id), None)
        requested = item is not None and item.status is CompensationStatus.REQUESTED
        return "requested" if requested else "granted"

    return page.act(
        case_id,
        csrf_token,
        lambda: flows.compensate(
            page.session,
            case_id,
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
            given=flows.CompensationInput(
                kind, forms.amount(amount), currency.strip().upper() or None, rationale.strip()
            ),
        ),
        form="compensation",
        result=result,
        anchor="compensation",
    )


@router.post("/cases/{case_id}/compensation/{compensation_id}/decision")
def decide_compensation(
    page: CasePost,
    case_id: CaseId,
    compensation_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    decision: Annotated[str, Form(max_length=10)],
    csrf_token: Csrf = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:

    def act() -> None:
        # Not found answers 404 (``attempt`` lets it through), not a refusal on the page.
        cases.get_case(page.session, case_id, actor=page.user.actor)
        if all(c.id != compensation_id for c in compensations.for_case(page.session, case_id)):
            raise NotFound(
                f"compensation {compensation_id} is not on this case",
                code="compensation-not-found",
            )
        flows.decide_compensation(
            page.session,
            compensation_id,
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
            approve=forms.choice(_approves, decision),
            note=note.strip(),
        )

    approve = decision == "approve"  # for the result message; _approves checks it
    return page.act(
        case_id,
        csrf_token,
        act,
        form="compensation",
        result="approved" if approve else "declined",
        anchor="compensation",
    )


@router.post("/cases/{case_id}/handoff")
def hand_off(
    page: CasePost,
    case_id: CaseId,
    to_user_id: Annotated[str, Form(max_length=20)],
    csrf_token: Csrf = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return page.act(
        case_id,
        csrf_token,
        lambda: case_steps.handoff(
            page.session,
            case_id,
            actor=page.user.actor,
            now=page.clock.now(),
            to_user_id=forms.choice(int, to_user_id),
            reason=reason,
        ),
        form="handoff",
        result="handoff",
    )


@router.post("/cases/{case_id}/close")
def close_case(
    page: CasePost,
    case_id: CaseId,
    outcome: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return page.act(
        case_id,
        csrf_token,
        lambda: flows.perform_steps(
            page.session,
            case_id,
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
            steps=[Step.CLOSE],
            outcome=forms.choice(Outcome, outcome),
            note=note.strip(),
        ),
        form="close",
        result="closed",
    )
