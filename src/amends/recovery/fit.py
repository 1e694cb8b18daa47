"""Does the customer fit? The evidence from several domains — complaints judged by the
validity verdict, compensation and handling time against their value, abusive messages,
late payments — weighed by ``customers.rules.assess_fit`` (service layer: reads only).

The recommendation is advice for a manager: nothing here changes the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.cases.rules import Origin
from amends.commitments.validity import Verdict
from amends.compensation.models import Compensation
from amends.compensation.rules import CompensationKind, CompensationStatus
from amends.customers import service as customers
from amends.customers.rules import (
    FitAssessment,
    FitEvidence,
    FitPolicy,
    assess_fit,
)
from amends.messages.abuse import AbuseKind
from amends.messages.models import Message
from amends.messages.rules import Direction
from amends.people.rules import Actor
from amends.recovery import verdict
from amends.web.i18n import english
from amends.workspace import service as workspace


@dataclass(frozen=True)
class CustomerFit:
    evidence: FitEvidence
    assessment: FitAssessment

    def as_dict(self) -> dict[str, Any]:
        """As the API and ``--json`` show it: reasons in English with their figures."""
        return {
            "recommendation": self.assessment.recommendation.value,
            "reasons": [
                {"code": r.code, "text": english(r.said), "figures": r.figures}
                for r in self.assessment.reasons
            ],
        }


def customer_fit(
    session: Session,
    customer_id: int,
    *,
    actor: Actor,
    now: datetime,
    hourly_cost: Decimal = Decimal("0"),
    policy: FitPolicy = FitPolicy(),
) -> CustomerFit:
    """The customer's evidence over the policy's window, and what it recommends.

    ``hourly_cost`` (the workspace's currency) turns handling time into money; it is
    counted only for a customer billed in that currency (amends converts nothing).
    """
    customer = customers.get_customer(session, customer_id, actor=actor)
    since = now - policy.window
    complaints = session.scalars(
        select(Case)
        .where(
            Case.customer_id == customer.id,
            Case.origin == Origin.COMPLAINT,
            Case.opened_at >= since,
        )
        .order_by(Case.id)
    ).all()
    # Every complaint counts, whoever may open it: the fit weighs the customer, not the
    # reader's view of them.
    verdicts = verdict.verdicts_of(session, list(complaints), now=now)
    judged = [v for v in verdicts if v != Verdict.UNKNOWN.value]
    given = session.scalar(
        select(func.coalesce(func.sum(Compensation.amount), 0))
        .join(Case, Case.id == Compensation.case_id)
        .where(
            Case.customer_id == customer.id,
            Compensation.currency == customer.currency,
            Compensation.status.in_([CompensationStatus.GRANTED, CompensationStatus.APPROVED]),
            Compensation.kind != CompensationKind.NONE,
            Compensation.created_at >= since,
        )
    )
    team_messages = session.scalar(
        select(func.count())
        .select_from(Message)
        .join(Case, Case.id == Message.case_id)
        .where(
            Case.customer_id == customer.id,
            Message.direction.in_([Direction.OUTBOUND, Direction.INTERNAL]),
            Message.is_draft.is_(False),
            Message.automated.is_(False),
            Message.at >= since,
        )
    )
    minutes = int(team_messages or 0) * policy.minutes_per_message
    ws = workspace.current(session)
    rate = hourly_cost if ws is None or ws.currency == customer.currency else Decimal("0")
    flagged = session.scalars(
        select(Message.abuse).where(
            Message.customer_id == customer.id,
            Message.direction == Direction.INBOUND,
            Message.abuse.is_not(None),
            Message.at >= since,
        )
    ).all()
    flagged = [f for f in flagged if f]
    words = tuple(dict.fromkeys(str(hit["word"]) for found in flagged for hit in found))
    evidence = FitEvidence(
        complaints_judged=len(judged),
        not_right=sum(1 for v in judged if v == Verdict.NOT_RIGHT.value),
        compensation=Decimal(given or 0),
        handling_minutes=minutes,
        handling_cost=(Decimal(minutes) / 60 * rate).quantize(Decimal("0.01")),
        monthly_value=customer.recurring_value,
        currency=customer.currency,
        abusive_messages=len(flagged),
        threats=sum(
            1 for found in flagged if any(h.get("kind") == AbuseKind.THREAT for h in found)
        ),
        abusive_words=words,
        late_payments=customer.late_payments,
        tier=customer.tier,
    )
    return CustomerFit(evidence, assess_fit(evidence, policy))
