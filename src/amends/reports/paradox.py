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

from sqlalchemy import ColumnElement, func, or_, select
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
    # Each group is a condition on the customer, counted in the database. Whether they
    # ever had a case, or one closed as recovered, the triggers keep on the customer
    # (first_case_at, recovered_at); only recovery within a window that has a start is
    # one probe of a small index per customer (ix_cases_recovered).
    answered: list[ColumnElement[bool]] = [Survey.answered_at.is_not(None)]
    answered.append(Survey.csat.is_not(None))
    recovered: list[ColumnElement[bool]] = [Customer.recovered_at.is_not(None)]
    people: list[ColumnElement[bool]] = [Customer.is_lead.is_(False)]
    no_case: ColumnElement[bool] = Customer.first_case_at.is_(None)
    if since is not None:
        closed: list[ColumnElement[bool]] = [Case.customer_id == Customer.id]
        closed += [Case.state == CaseState.CLOSED, Case.outcome.in_(RECOVERED)]
        closed.append(Case.closed_at >= since)
        if until is not None:
            closed.append(Case.closed_at < until)
        recovered = [select(Case.id).where(*closed).exists()]
        answered.append(Survey.answered_at >= since)
    if until is not None:
        if since is None:
            recovered.append(Customer.recovered_at < until)
        no_case = or_(no_case, Customer.first_case_at >= until)
        people.append(Customer.created_at < until)
        answered.append(Survey.answered_at < until)
    people.append(no_case)
    members = {"recovered": recovered, "never_failed": people}
    groups: dict[str, dict[str, Any]] = {}
    for name, condition in members.items():
        statuses: list[str] = []
        for status, n in session.execute(
            select(Customer.status, func.count()).where(*condition).group_by(Customer.status)
        ):
            statuses += [str(status)] * n
        answers = session.execute(
            select(Survey.csat, Survey.nps)
            .join(Customer, Customer.id == Survey.customer_id)
            .where(*answered, *condition)
        ).all()
        csat = [int(score) for score, _ in answers if score is not None]
        nps = [int(recommend) for _, recommend in answers if recommend is not None]
        groups[name] = satisfaction_group(statuses, csat, nps)
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        **groups,
        **paradox(groups["recovered"], groups["never_failed"]),
    }
