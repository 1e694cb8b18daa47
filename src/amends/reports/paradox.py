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

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy import case as when
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
    # Each group is a condition on the customer's own row: the triggers keep there when
    # their first case was opened and their latest recovered closure (migration y029).
    # The row keeps only the latest recovery, so a period with an end also asks the
    # cases whether one fell inside it, for the customers with one since its start.
    recovered: list[ColumnElement[bool]] = [Customer.recovered_at.is_not(None)]
    people: list[ColumnElement[bool]] = [Customer.is_lead.is_(False)]
    answered: list[ColumnElement[bool]] = [Survey.answered_at.is_not(None)]
    answered.append(Survey.csat.is_not(None))
    if since is not None:
        recovered.append(Customer.recovered_at >= since)
        answered.append(Survey.answered_at >= since)
    if until is not None:
        closed: list[ColumnElement[bool]] = [Case.customer_id == Customer.id]
        closed += [Case.state == CaseState.CLOSED, Case.outcome.in_(RECOVERED)]
        closed.append(Case.closed_at < until)
        if since is not None:
            closed.append(Case.closed_at >= since)
        recovered.append(select(Case.id).where(*closed).exists())
        people.append(Customer.created_at < until)
        people.append(or_(Customer.first_case_at.is_(None), Customer.first_case_at >= until))
        answered.append(Survey.answered_at < until)
    else:
        people.append(Customer.first_case_at.is_(None))
    # Both groups in one pass over the customers, and their survey answers in another.
    members = {"recovered": and_(*recovered), "never_failed": and_(*people)}
    either = or_(*members.values())
    statuses: dict[str, list[str]] = {name: [] for name in members}
    for status, *counts in session.execute(
        select(Customer.status, *(func.count().filter(c) for c in members.values()))
        .where(either)
        .group_by(Customer.status)
    ):
        for name, n in zip(members, counts, strict=True):
            statuses[name] += [str(status)] * n
    scores: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in members}
    for score, recommend, *belongs in session.execute(
        select(Survey.csat, Survey.nps, *(when((c, 1), else_=0) for c in members.values()))
        .join(Customer, Customer.id == Survey.customer_id)
        .where(*answered, either)
    ):
        for name, member in zip(members, belongs, strict=True):
            if member:
                csat, nps = scores[name]
                csat += [int(score)] if score is not None else []
                nps += [int(recommend)] if recommend is not None else []
    groups = {name: satisfaction_group(statuses[name], *scores[name]) for name in members}
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        **groups,
        **paradox(groups["recovered"], groups["never_failed"]),
    }
