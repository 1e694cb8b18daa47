"""Themes: what customers keep running into, weighed by the revenue at stake.

One complaint should not derail well-planned work; a theme that grows, hits many
customers or puts much recurring revenue at risk should. Each theme is a case category
or a pattern, over a window of whole days ending tonight (UTC), compared with the window
before it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func, or_, select, union_all
from sqlalchemy.orm import Session

from amends.cases import days
from amends.cases.models import Case
from amends.customers.models import Customer
from amends.patterns.models import CategoryHit, Pattern, PatternCase
from amends.patterns.rules import PatternStatus, pattern_ref, trend
from amends.people.rules import Action, Actor
from amends.people.service import require

# Customers already gone are no longer revenue at stake: it was lost, not risked.
GONE = frozenset({"lost", "parted_ways"})


@dataclass
class _Tally:
    current: int = 0
    previous: int = 0
    # Customers hit in this window, and their monthly value still at stake by currency.
    customers: int = 0
    stake: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def hit(self, customers: int, currency: str, staying: int, value: Decimal) -> None:
        self.customers += customers
        if staying:
            self.stake[currency] += value

    def at_stake(self) -> dict[str, str]:
        return {
            cur: str(amount.quantize(Decimal("0.01"))) for cur, amount in sorted(self.stake.items())
        }


def themes(
    session: Session, *, actor: Actor, now: datetime, window: timedelta, currency: str
) -> dict[str, Any]:
    """Categories and patterns with cases in this window or the one before, the most
    revenue at stake (in the workspace currency) first, then the most customers."""
    require(actor, Action.READ)
    # Whole days ending at midnight (UTC) after now, so the cases are counted from the
    # kept day counts rather than one by one.
    end, span = days.midnight_after(now), days.whole_days(window)
    start, previous_start = end - span, end - 2 * span
    by_category: dict[str, _Tally] = defaultdict(_Tally)
    spans = [previous_start, start, end]
    previous, current = days.counts_between(session, spans, ["cases"], by_category=True)
    for (category, _, _), n in current.items():
        by_category[category].current += n
    for (category, _, _), n in previous.items():
        by_category[category].previous += n
    # Each customer hit counts once per category, and only a customer not yet gone keeps
    # their value at stake: summed in the database, a row per category and currency
    # whatever the number of cases or customers. A pair was hit in the window when its
    # latest case (category_hits) falls in it, or, should that one come after the
    # window, when one of its cases does.
    h = CategoryHit
    in_window = (Case.opened_at >= start, Case.opened_at < end)
    later_in_window = (
        select(Case.id)
        .where(Case.customer_id == h.customer_id, Case.category == h.category, *in_window)
        .exists()
    )
    # Two ranges of one index rather than an OR, which the planner costs as if the
    # subquery ran for every row.
    hit = union_all(
        select(h.category, h.customer_id).where(h.last_opened_at >= start, h.last_opened_at < end),
        select(h.category, h.customer_id).where(h.last_opened_at >= end, later_in_window),
    ).subquery()
    staying = Customer.status.not_in(GONE)
    for category, cur, customers, stay, value in session.execute(
        select(
            hit.c.category,
            Customer.currency,
            func.count(),
            func.count(when((staying, 1))),
            func.sum(when((staying, Customer.recurring_value))),
        )
        .join(Customer, Customer.id == hit.c.customer_id)
        .group_by(hit.c.category, Customer.currency)
    ):
        by_category[category].hit(customers, cur, stay, Decimal(value or 0))

    by_pattern: dict[int, _Tally] = defaultdict(_Tally)
    patterns = {
        p.id: p
        for p in session.scalars(
            select(Pattern).where(
                or_(
                    Pattern.status != PatternStatus.RESOLVED,
                    Pattern.last_opened_at >= previous_start,
                )
            )
        )
    }
    if patterns:
        customer = (Customer.recurring_value, Customer.currency, Customer.status)
        seen: set[tuple[int, int]] = set()
        for pattern_id, customer_id, value, cur, status, opened_at in session.execute(
            select(PatternCase.pattern_id, PatternCase.customer_id, *customer, Case.opened_at)
            .join(Case, Case.id == PatternCase.case_id)
            .join(Customer, Customer.id == PatternCase.customer_id)
            .where(PatternCase.pattern_id.in_(list(patterns)), Case.opened_at < end)
        ):
            tally = by_pattern[pattern_id]
            if opened_at >= start:
                tally.current += 1
                if (pattern_id, customer_id) not in seen:
                    seen.add((pattern_id, customer_id))
                    tally.hit(1, cur, int(status not in GONE), value)
            elif opened_at >= previous_start:
                tally.previous += 1

    items: list[dict[str, Any]] = []
    for category, tally in by_category.items():
        items.append(
            {
                "kind": "category",
                "key": category,
                "title": category,
                "cases": tally.current,
                "customers": tally.customers,
                "revenue_at_stake": tally.at_stake(),
                "trend": trend(tally.current, tally.previous),
            }
        )
    for pattern_id, pattern in patterns.items():
        tally = by_pattern[pattern_id]
        if not (tally.current or tally.previous) and pattern.status == PatternStatus.RESOLVED:
            continue
        items.append(
            {
                "kind": "pattern",
                "key": pattern_ref(pattern_id),
                "pattern_id": pattern_id,
                "title": pattern.title,
                "category": pattern.category,
                "status": pattern.status,
                "cases": tally.current,
                "customers": tally.customers,
                "revenue_at_stake": tally.at_stake(),
                "trend": trend(tally.current, tally.previous),
            }
        )
    items.sort(
        key=lambda t: (
            -Decimal(t["revenue_at_stake"].get(currency, "0")),
            -t["customers"],
            -t["cases"],
            t["kind"],
            t["key"],
        )
    )
    return {
        "window_days": span // days.DAY,
        "since": start.isoformat(),
        "until": end.isoformat(),
        "previous_since": previous_start.isoformat(),
        "currency": currency,
        "themes": items,
    }
