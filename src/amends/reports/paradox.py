"""The recovery-paradox figure: are customers whose failure we put right more satisfied,
and as loyal, as customers who never met a failure?

Over a period [since, until): *recovered* customers are those with a case closed in the
period as retained or won back; *never failed* are customers (not leads) that existed
before the period ended and had no case opened before then. Satisfaction comes from the
survey answers given in the period; retention is the share of each group not lost and
not parted with (their status now).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.cases.rules import CaseState
from amends.customers.models import Customer
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.reports.rules import paradox, satisfaction_group
from amends.surveys.models import Survey
from amends.surveys.service import RECOVERED


def recovery_paradox(
    session: Session,
    *,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    require(actor, Action.READ)
    # Each customer is asked whether they have such a case (one probe of a small index
    # per customer) rather than listing the distinct customers of every case: the cost
    # follows the number of customers, not of cases.
    closed = [Case.customer_id == Customer.id, Case.state == CaseState.CLOSED]
    closed.append(Case.outcome.in_(RECOVERED))
    failed = [Case.customer_id == Customer.id]
    people = select(Customer.id, Customer.status).where(Customer.is_lead.is_(False))
    answers = select(Survey.customer_id, Survey.csat, Survey.nps).where(
        Survey.answered_at.is_not(None)
    )
    if since is not None:
        closed.append(Case.closed_at >= since)
        answers = answers.where(Survey.answered_at >= since)
    if until is not None:
        closed.append(Case.closed_at < until)
        failed.append(Case.opened_at < until)
        people = people.where(Customer.created_at < until)
        answers = answers.where(Survey.answered_at < until)
    recovered = set(
        session.scalars(select(Customer.id).where(select(Case.id).where(*closed).exists()))
    )
    ever_failed = set(
        session.scalars(select(Customer.id).where(select(Case.id).where(*failed).exists()))
    )
    status = {cid: str(s) for cid, s in session.execute(people)}
    status.update(
        (cid, str(s))
        for cid, s in session.execute(
            select(Customer.id, Customer.status).where(Customer.id.in_(recovered - set(status)))
        )
    )
    never = {cid for cid in status if cid not in ever_failed}
    groups: dict[str, dict[str, Any]] = {}
    for name, members in (("recovered", recovered), ("never_failed", never)):
        csat: list[int] = []
        nps: list[int] = []
        for customer_id, score, recommend in session.execute(answers):
            if customer_id in members and score is not None:
                csat.append(score)
                if recommend is not None:
                    nps.append(recommend)
        groups[name] = satisfaction_group([status[c] for c in sorted(members)], csat, nps)
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        **groups,
        **paradox(groups["recovered"], groups["never_failed"]),
    }
