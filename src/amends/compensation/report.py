"""The compensation ledger: what was given, month by month, against the recurring revenue
still earned from those customers afterwards (the recovery return).

amends keeps no invoices, so "still earned" is read from what it does know:

- a compensation counts once it is given: granted within the giver's limit, or approved
  (from the approval); requests, declined ones and kind "none" do not;
- its customer counts as **lost** from the first time one of their cases closed ``lost``
  or ``parted_ways`` after it, or, when their status is ``lost``/``parted_ways`` without
  such a case, from the last change to their record; a customer whose status is
  ``won_back`` counts as kept;
- a kept customer is still paying their monthly ``recurring_value``; what they **earned
  since** is that value times the whole months from the compensation to the report date
  (to the day they were lost, for a lost one);
- the **recovery return** is earned-since divided by what was given, per currency (no
  exchange rates are assumed).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.cases.rules import Outcome
from amends.compensation.models import Compensation
from amends.compensation.rules import CompensationKind, CompensationStatus, LedgerEntry, ledger
from amends.customers.models import Customer
from amends.customers.rules import CustomerStatus
from amends.people.rules import Action, Actor
from amends.people.service import get_team, members_of, require

GIVEN = (CompensationStatus.GRANTED, CompensationStatus.APPROVED)
ENDED_OUTCOMES = (Outcome.LOST, Outcome.PARTED_WAYS)
GONE = frozenset({CustomerStatus.LOST, CustomerStatus.PARTED_WAYS})


def _ends(session: Session, customer_ids: set[int]) -> dict[int, list[datetime]]:
    """Each customer's lost or parted-ways case closures, oldest first."""
    ends: dict[int, list[datetime]] = defaultdict(list)
    if not customer_ids:
        return ends
    for customer_id, closed_at in session.execute(
        select(Case.customer_id, Case.closed_at)
        .where(
            Case.customer_id.in_(customer_ids),
            Case.outcome.in_(ENDED_OUTCOMES),
            Case.closed_at.is_not(None),
        )
        .order_by(Case.closed_at)
    ):
        if closed_at is not None:
            ends[customer_id].append(closed_at)
    return ends


def ledger_report(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    timezone: str = "UTC",
    since: datetime | None = None,
    until: datetime | None = None,
    team_id: int | None = None,
    entries: bool = False,
) -> dict[str, Any]:
    """The ledger for compensation given in [since, until), months in ``timezone``; with
    ``team_id``, only for cases its members own; with ``entries``, each compensation too
    (its case, customer, amount and whether the customer stayed)."""
    require(actor, Action.READ)
    tz = ZoneInfo(timezone)
    owned = []
    if team_id is not None:
        get_team(session, team_id)
        owned.append(Case.owner_id.in_(members_of(session, team_id)))
    rows = session.execute(
        select(
            Compensation.amount,
            Compensation.currency,
            Compensation.status,
            Compensation.created_at,
            Compensation.decided_at,
            Customer.id,
            Customer.recurring_value,
            Customer.currency,
            Customer.status,
            Customer.updated_at,
            Compensation.kind,
            Case.id,
            Customer.name,
        )
        .join(Case, Case.id == Compensation.case_id)
        .join(Customer, Customer.id == Case.customer_id)
        .where(
            Compensation.status.in_(GIVEN),
            Compensation.kind != CompensationKind.NONE,
            *owned,
        )
        .order_by(Compensation.id)
    ).all()
    ends = _ends(session, {row[5] for row in rows})
    given: list[LedgerEntry] = []
    listed: list[dict[str, Any]] = []
    for (
        amount,
        currency,
        status,
        created_at,
        decided_at,
        customer_id,
        value,
        cur,
        state,
        touched,
        kind,
        case_id,
        name,
    ) in rows:
        given_at = (
            decided_at if status == CompensationStatus.APPROVED and decided_at else created_at
        )
        if (since is not None and given_at < since) or (until is not None and given_at >= until):
            continue
        closures = ends.get(customer_id, [])
        later = bisect_left(closures, given_at)
        ended_at: datetime | None = None
        if state == CustomerStatus.WON_BACK:
            ended_at = None
        elif later < len(closures):
            ended_at = closures[later]
        elif state in GONE:
            ended_at = max(touched, given_at)
        entry = LedgerEntry(
            given_at=given_at,
            month=given_at.astimezone(tz).strftime("%Y-%m"),
            amount=amount,
            currency=currency,
            customer_id=customer_id,
            recurring_value=value,
            recurring_currency=cur,
            ended_at=ended_at,
        )
        given.append(entry)
        if entries:
            listed.append(
                {
                    "given_at": given_at.isoformat(),
                    "month": entry.month,
                    "case_id": case_id,
                    "customer_id": customer_id,
                    "customer": name,
                    "kind": str(kind),
                    "amount": str(amount),
                    "currency": currency,
                    "recurring_value": str(value),
                    "recurring_currency": cur,
                    "lost_at": ended_at.isoformat() if ended_at and ended_at <= now else None,
                }
            )
    report = ledger(given, as_of=now)
    if entries:
        report["entries"] = listed
    report["timezone"] = timezone
    report["team_id"] = team_id
    return report
