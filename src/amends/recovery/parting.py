"""Parting ways with a customer, respectfully (service layer: flushes only, the caller
commits). A manager's decision with its reason, on a case of its own: the coach's final
message in the customer's language sent through the outbox, a refund of unused prepaid
service in the compensation ledger, the customer ``parted_ways`` and their promises
ended. From then on nothing automated is written to them (``messages.outbox.queue``
asks ``customers.service.accepts_automated_messages``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.cases import steps as case_steps
from amends.cases.rules import Category, Origin, Outcome, Severity, Step
from amends.coach import service as coach
from amends.compensation import service as compensations
from amends.compensation.rules import CompensationKind
from amends.customers import service as customers
from amends.customers.rules import CustomerStatus
from amends.errors import Conflict, Forbidden, InvalidInput
from amends.messages import outbox
from amends.people.rules import Actor, Role, can_own_cases
from amends.playbook.policy import Playbook
from amends.recovery import conversation, flows
from amends.web.vocabulary import N_

DECIDERS = frozenset({Role.MANAGER, Role.OWNER})


@dataclass(frozen=True)
class Refund:
    amount: Decimal
    currency: str | None = None  # the customer's when not given


@dataclass(frozen=True)
class Parting:
    customer_id: int
    case_id: int
    message_id: int
    outbox_id: int
    compensation_id: int | None
    cancelled_automated: int

    def as_dict(self) -> dict[str, object]:
        return {
            "customer_id": self.customer_id,
            "status": CustomerStatus.PARTED_WAYS.value,
            "case_id": self.case_id,
            "message_id": self.message_id,
            "outbox_id": self.outbox_id,
            "compensation_id": self.compensation_id,
            "cancelled_automated": self.cancelled_automated,
        }


def require_decider(actor: Actor) -> None:
    """Only a manager or the owner parts ways with a customer."""
    if actor.role not in DECIDERS:
        raise Forbidden(N_("only a manager or the owner decides to part ways with a customer"))


def part_ways(
    session: Session,
    customer_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    business: str,
    reason: str,
    refund: Refund | None = None,
    referral: str = "",
    text: str | None = None,
    override_reason: str | None = None,
) -> Parting:
    """Part ways with the customer, all in the caller's one transaction.

    ``text`` replaces the coach's draft; it passes the coach as every reply does.
    """
    require_decider(actor)
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput(N_("parting ways needs the reason"), code="parting-reason")
    customer = customers.get_customer(session, customer_id, actor=actor)
    if customer.status is CustomerStatus.PARTED_WAYS:
        raise Conflict(N_("we have already parted ways with this customer"), code="parted-already")
    if refund is not None and refund.amount <= 0:
        raise InvalidInput(N_("a refund or credit needs an amount"), code="compensation-amount")
    owner = actor.user_id if actor.user_id is not None and can_own_cases(actor.role) else None
    case = flows.open_case(
        session,
        actor=actor,
        now=now,
        playbook=playbook,
        customer_id=customer.id,
        owner_id=owner,
        title="Parting ways",
        severity=Severity.LOW,
        category=Category.OTHER,
        origin=Origin.MANUAL,
        # Not a failure: no repeat or pattern to judge.
        judge=False,
    )
    given = None
    if refund is not None:
        given = compensations.record(
            session,
            case=case,
            actor=actor,
            now=now,
            playbook=playbook,
            kind=CompensationKind.REFUND.value,
            amount=refund.amount,
            currency=refund.currency,
            rationale=f"unused prepaid service refunded on parting ways: {reason}",
        )
    if text is None or not text.strip():
        text = coach.draft(
            session,
            case.id,
            step="parting_ways",
            lang=customer.language,
            actor=actor,
            now=now,
            business=business,
            referral=referral,
        )["text"]
    reply = conversation.send_reply(
        session,
        case.id,
        actor=actor,
        now=now,
        playbook=playbook,
        text=text,
        language=customer.language,
        steps=[Step.ACKNOWLEDGE],
        override_reason=override_reason,
    )
    if given is not None:
        given.message_id = reply.message.id
    # The parting case closes at once: it recovers no failure, so the playbook's
    # recovery steps do not apply to it; the decision and the message are its record.
    case_steps.complete(
        session,
        case,
        [Step.CLOSE],
        actor=actor,
        now=now,
        playbook=playbook,
        note=reason,
        outcome=Outcome.PARTED_WAYS,
        message_id=reply.message.id,
    )
    flows.settle_customer(session, case, Outcome.PARTED_WAYS, actor=actor, now=now)
    cancelled = outbox.cancel_automated(session, customer_id=customer.id)
    audit.record(
        session,
        actor_id=actor.user_id,
        action="customer.parted_ways",
        subject=f"customer:{customer.id}",
        detail={
            "case_id": case.id,
            "reason": reason,
            "refund": None if given is None else str(given.amount),
            "currency": None if given is None else given.currency,
        },
        now=now,
    )
    session.flush()
    return Parting(
        customer.id,
        case.id,
        reply.message.id,
        reply.outbox.id,
        None if given is None else given.id,
        cancelled,
    )
