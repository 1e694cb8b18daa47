"""Themes: what customers keep running into, weighed by the revenue at stake.

One complaint should not derail well-planned work; a theme that grows, hits many
customers or puts much recurring revenue at risk should. Each theme is a case category
or a pattern, over a window ending now, compared with the window before it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from amends.cases.models import Case
from amends.customers.models import Customer
from amends.patterns.models import Pattern, PatternCase
from amends.patterns.rules import PatternStatus, trend
from amends.patterns.service import pattern_ref
from amends.people.rules import Action, Actor
from amends.people.service import require

# Customers already gone are no longer revenue at stake: it was lost, not risked.
GONE = frozenset({"lost", "parted_ways"})


@dataclass
class _Tally:
    current: int = 0
    previous: int = 0
    # Customers hit in this window: id -> (monthly value, currency, status).
    customers: dict[int, tuple[Decimal, str, str]] = field(default_factory=dict)

    def at_stake(self) -> dict[str, str]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for value, currency, status in self.customers.values():
            if status not in GONE:
                totals[currency] += value
        return {
            cur: str(amount.quantize(Decimal("0.01"))) for cur, amount in sorted(totals.items())
        }


def themes(
    session: Session, *, actor: Actor, now: datetime, window: timedelta, currency: str
) -> dict[str, Any]:
    """Categories and patterns with cases in this window or the one before, the most
    revenue at stake (in the workspace currency) first, then the most customers."""
    require(actor, Action.READ)
    start, previous_start = now - window, now - 2 * window
    in_current = when((Case.opened_at >= start, 1), else_=0)
    by_category: dict[str, _Tally] = defaultdict(_Tally)
    # The customer's value comes in the same grouped scan: one row per category and
    # customer, never a list of ids sent back to the database.
    customer = (Customer.recurring_value, Customer.currency, Customer.status)
    for category, customer_id, value, cur, status, current, n in session.execute(
        select(
            Case.category, Case.customer_id, *customer, in_current.label("current"), func.count()
        )
        .join(Customer, Customer.id == Case.customer_id)
        .where(Case.opened_at >= previous_start, Case.opened_at <= now)
        .group_by(Case.category, Case.customer_id, *customer, in_current)
    ):
        tally = by_category[category]
        if current:
            tally.current += n
            tally.customers[customer_id] = (value, cur, status)
        else:
            tally.previous += n

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
        for pattern_id, customer_id, value, cur, status, opened_at in session.execute(
            select(PatternCase.pattern_id, PatternCase.customer_id, *customer, Case.opened_at)
            .join(Case, Case.id == PatternCase.case_id)
            .join(Customer, Customer.id == PatternCase.customer_id)
            .where(PatternCase.pattern_id.in_(list(patterns)), Case.opened_at <= now)
        ):
            tally = by_pattern[pattern_id]
            if opened_at >= start:
                tally.current += 1
                tally.customers[customer_id] = (value, cur, status)
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
                "customers": len(tally.customers),
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
                "customers": len(tally.customers),
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
        "window_days": window // timedelta(days=1),
        "since": start.isoformat(),
        "until": now.isoformat(),
        "previous_since": previous_start.isoformat(),
        "currency": currency,
        "themes": items,
    }
