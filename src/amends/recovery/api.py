"""API routes that act across domains: opening and changing cases (judged for repeats and
patterns), playbook steps, replies and compensation decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from amends.cases import service as cases
from amends.cases.rules import case_ref
from amends.cases.schemas import CaseCreate, CaseOut, CaseUpdate
from amends.clock import refuse_future
from amends.commitments.schemas import ValidityOut, ValidityOverrideIn
from amends.compensation import service as compensations
from amends.compensation.schemas import CompensationOut, DecisionIn
from amends.config import Settings
from amends.customers import advocates
from amends.customers import service as customers
from amends.errors import InvalidInput
from amends.fields import MAX_DB_INT
from amends.messages.schemas import ComplaintIn, ComplaintOut, MessageCreate, MessageOut
from amends.people.deps import ApiActor
from amends.recovery import conversation, fit, flows, parting, verdict, view
from amends.recovery.schemas import (
    CaseView,
    CompensationIn,
    CustomerFitOut,
    PartingOut,
    PartWaysIn,
    ReplyIn,
    ReplyOut,
    StepsIn,
    StepsOut,
)
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["cases"], responses=PROBLEM_RESPONSES)
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
CustomerId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def _compensation(body: CompensationIn | None) -> flows.CompensationInput | None:
    if body is None:
        return None
    return flows.CompensationInput(body.kind.value, body.amount, body.currency, body.rationale)


@router.post("/cases", response_model=CaseOut, status_code=201)
def open_case(
    body: CaseCreate, session: DbSession, actor: ApiActor, clock: AppClock, playbook: AppPlaybook
) -> CaseOut:
    case = flows.open_case(
        session, actor=actor, now=clock.now(), playbook=playbook, **body.model_dump()
    )
    return cases.present(session, [case])[0]


@router.get("/cases/{case_id}", response_model=CaseView)
def get_case(
    case_id: CaseId, session: DbSession, actor: ApiActor, clock: AppClock, playbook: AppPlaybook
) -> CaseView:
    """A case with what its page shows: clocks, validity, compensation, repeats, similar
    cases, participants and attachments."""
    return view.case_view(session, case_id, actor=actor, playbook=playbook, now=clock.now())


@router.patch("/cases/{case_id}", response_model=CaseOut)
def update_case(
    case_id: CaseId,
    body: CaseUpdate,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> CaseOut:
    changes = {
        k: v
        for k, v in body.model_dump(exclude_unset=True, exclude={"reason"}).items()
        if v is not None
    }
    case = flows.update_case(
        session,
        case_id,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        changes=changes,
        reason=body.reason,
    )
    return cases.present(session, [case])[0]


@router.post("/cases/{case_id}/steps", response_model=StepsOut)
def perform_steps(
    case_id: CaseId,
    body: StepsIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> StepsOut:
    """Complete one or more playbook steps; refused with 409 and the reason when not allowed."""
    result = flows.perform_steps(
        session,
        case_id,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        steps=body.steps,
        note=body.note,
        outcome=body.outcome,
        compensation=_compensation(body.compensation),
        call_note=body.call_note,
    )
    return StepsOut.of(cases.present(session, [result.case])[0], result)


@router.post("/cases/{case_id}/replies", response_model=ReplyOut, status_code=201)
def reply(
    case_id: CaseId,
    body: ReplyIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> ReplyOut:
    """Write to the customer; the message is queued for sending and may complete steps."""
    sent = conversation.send_reply(
        session,
        case_id,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        text=body.text,
        subject=body.subject,
        language=body.language,
        steps=body.steps,
        compensation=_compensation(body.compensation),
        override_reason=body.override_reason,
        asks=body.asks,
        seen_message_id=body.seen_message_id,
    )
    return ReplyOut.of(
        cases.present(session, [sent.steps.case])[0],
        sent.steps,
        message_id=sent.message.id,
        outbox_status=sent.outbox.status,
    )


@router.post("/compensations/{compensation_id}/decision", response_model=CompensationOut)
def decide_compensation(
    compensation_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    body: DecisionIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> CompensationOut:
    """A manager approves or declines compensation above the agent's limit."""
    item = flows.decide_compensation(
        session,
        compensation_id,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        approve=body.approve,
        note=body.note,
    )
    return CompensationOut.model_validate(item)


@router.get("/cases/{case_id}/compensations", response_model=list[CompensationOut])
def case_compensations(
    case_id: CaseId, session: DbSession, actor: ApiActor
) -> list[CompensationOut]:
    cases.get_case(session, case_id, actor=actor)
    return [CompensationOut.model_validate(c) for c in compensations.for_case(session, case_id)]


@router.get("/cases/{case_id}/validity", response_model=ValidityOut)
def case_validity(
    case_id: CaseId, session: DbSession, actor: ApiActor, clock: AppClock
) -> ValidityOut:
    """Is the customer right? The verdict from commitments and deliveries, with evidence."""
    return ValidityOut.model_validate(
        verdict.assess_case(session, case_id, actor=actor, now=clock.now())
    )


@router.post("/cases/{case_id}/validity/judge", response_model=ValidityOut)
def judge_case_again(
    case_id: CaseId, session: DbSession, actor: ApiActor, clock: AppClock
) -> ValidityOut:
    """Judge the case again as of now; the verdict is kept with the moment, on the timeline."""
    return ValidityOut.model_validate(
        verdict.judge_again(session, case_id, actor=actor, now=clock.now())
    )


@router.post("/cases/{case_id}/validity", response_model=ValidityOut)
def override_case_validity(
    case_id: CaseId,
    body: ValidityOverrideIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> ValidityOut:
    """Override the verdict with a reason; the evidence verdict stays visible beside it."""
    verdict.override_validity(
        session, case_id, actor=actor, now=clock.now(), verdict=body.verdict, reason=body.reason
    )
    return ValidityOut.model_validate(
        verdict.assess_case(session, case_id, actor=actor, now=clock.now())
    )


@router.post("/messages", response_model=MessageOut, status_code=201, tags=["messages"])
def record_message(
    body: MessageCreate,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
) -> MessageOut:
    """Record a message; one the business wrote (outbound) passes the coach first."""
    # Said by a person or a script, a message's time is a fact: mail dates, which other
    # machines' clocks write, are clamped by intake instead.
    refuse_future(body.at, clock.now())
    message = conversation.record_message(
        session, actor=actor, now=clock.now(), playbook=playbook, **body.model_dump()
    )
    return MessageOut.model_validate(message)


@router.post("/complaints", response_model=ComplaintOut, status_code=201, tags=["messages"])
def receive_complaint(
    body: ComplaintIn, session: DbSession, actor: ApiActor, clock: AppClock, playbook: AppPlaybook
) -> ComplaintOut:
    """A customer complains: the message joins their open case or opens a new one.

    An unknown sender becomes a lead customer rather than being dropped.
    """
    customer_id = body.customer_id
    if customer_id is None:
        if body.from_address is None:
            raise InvalidInput("give customer_id or from_address", code="complaint-sender")
        customer_id = customers.customer_for_sender(
            session,
            actor=actor,
            now=clock.now(),
            address=body.from_address,
            name=body.from_name,
            language=body.language,
        ).id
    received = conversation.receive_complaint(
        session,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        customer_id=customer_id,
        text=body.text,
        subject=body.subject,
        language=body.language,
        received_at=body.received_at,
        from_address=body.from_address,
        sender_name=body.from_name or "",
    )
    return ComplaintOut(
        message_id=received.message.id,
        case_id=received.case.id,
        case_ref=case_ref(received.case.id),
        customer_id=customer_id,
        opened=received.opened,
    )


@router.get("/customers/{customer_id}", response_model=CustomerFitOut, tags=["customers"])
def get_customer(
    customer_id: CustomerId,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    settings: AppSettings,
) -> CustomerFitOut:
    """A customer with contacts, and the fit their evidence recommends (keep, watch or
    part_ways) with its reasons; advice for a manager, it changes nothing."""
    customer = customers.get_customer(session, customer_id, actor=actor)
    found = fit.customer_fit(
        session,
        customer_id,
        actor=actor,
        now=clock.now(),
        hourly_cost=settings.handling_cost_per_hour,
    )
    shown = CustomerFitOut.of(customer, found.as_dict())
    shown.advocate = advocates.is_advocate(session, customer_id)
    return shown


@router.post(
    "/customers/{customer_id}/part-ways",
    response_model=PartingOut,
    status_code=201,
    tags=["customers"],
)
def part_ways(
    customer_id: CustomerId,
    body: PartWaysIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
    playbook: AppPlaybook,
    settings: AppSettings,
) -> PartingOut:
    """Part ways with the customer (managers and the owner): the coach's final message
    sent through the outbox, the refund recorded, their promises ended, and nothing
    automated written to them again."""
    done = parting.part_ways(
        session,
        customer_id,
        actor=actor,
        now=clock.now(),
        playbook=playbook,
        business=settings.workspace_name,
        reason=body.reason,
        refund=parting.Refund(body.refund, body.currency) if body.refund else None,
        referral=body.referral or "",
        text=body.text,
        override_reason=body.override_reason,
    )
    return PartingOut.model_validate(done.as_dict())
