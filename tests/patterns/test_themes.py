"""Themes: counts, customers, revenue at stake and trend, asserted number by number."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.cases.rules import Category
from amends.clock import FrozenClock
from amends.db import transaction
from amends.patterns import themes
from amends.people.rules import OPERATOR
from tests.conftest import DEFAULT_PLAYBOOK, Cast
from tests.patterns.helpers import COURIER, add_shop, open_courier_case

PLAYBOOK = replace(DEFAULT_PLAYBOOK, patterns=replace(DEFAULT_PLAYBOOK.patterns, min_customers=3))


def test_themes_weigh_categories_and_patterns_by_revenue_at_stake(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    now = clock.now()
    with transaction(sessions) as s:
        shop = [
            add_shop(s, c, now=now - timedelta(days=90), status="lost" if i == 4 else "active")
            for i, c in enumerate(COURIER)
        ]
        # (shop, category, days ago): the window is the last 30 days, the one before 30-60.
        for who, category, days in [
            (0, Category.QUALITY, 45),
            (1, Category.BILLING, 50),
            (2, Category.BILLING, 40),
            (0, Category.QUALITY, 20),
            (2, Category.QUALITY, 10),
            (4, Category.QUALITY, 5),
            (0, Category.QUALITY, 1),
            (3, Category.BILLING, 3),
            (1, Category.LATE_DELIVERY, 2),
            (3, Category.OTHER, 70),  # before both windows
        ]:
            open_courier_case(
                s,
                customer_id=shop[who],
                owner_id=cast.agent.id,
                title=f"{COURIER[who].complaint} ({category.value})",
                now=now,
                opened_at=now - timedelta(days=days),
                playbook=PLAYBOOK,
                category=category,
            )
    with transaction(sessions) as s:
        # A case dated after the window (a clock set wrong) is not counted, and the
        # bakery's quality cases in the window still are, though this is now its latest.
        late = open_courier_case(
            s,
            customer_id=shop[0],
            owner_id=cast.agent.id,
            title=f"{COURIER[0].complaint} (quality)",
            now=now,
            opened_at=now,
            playbook=PLAYBOOK,
            category=Category.QUALITY,
        )
        s.flush()
        s.execute(update(Case).where(Case.id == late.id).values(opened_at=now + timedelta(days=2)))
    with transaction(sessions) as s:
        data = themes.themes(
            s, actor=OPERATOR, now=now, window=PLAYBOOK.patterns.window, currency="EUR"
        )
    assert data["window_days"] == 30
    found = [(t["kind"], t["key"]) for t in data["themes"]]
    # The quality failures put the most euros at stake; the lost bakery's do not count.
    assert found == [
        ("category", "quality"),
        ("pattern", "P-1"),
        ("category", "billing"),
        ("category", "late_delivery"),
    ]
    quality, pattern, billing, late = data["themes"]
    assert (quality["cases"], quality["customers"]) == (4, 3)
    assert quality["revenue_at_stake"] == {"EUR": "320.00"}
    assert quality["trend"] == {"previous": 1, "change": 3, "change_pct": 300.0, "direction": "up"}
    # The pattern formed once three customers were hit within 30 days of each other; the
    # first quality case 45 days ago is too far from the others to be part of it.
    assert (pattern["cases"], pattern["customers"], pattern["status"]) == (4, 3, "open")
    assert pattern["revenue_at_stake"] == {"EUR": "320.00"}
    assert pattern["trend"]["previous"] == 0 and pattern["trend"]["direction"] == "up"
    assert (billing["cases"], billing["customers"]) == (1, 1)
    assert billing["revenue_at_stake"] == {"GBP": "300.00"}
    assert billing["trend"] == {
        "previous": 2,
        "change": -1,
        "change_pct": -50.0,
        "direction": "down",
    }
    assert late["revenue_at_stake"] == {"THB": "4500.00"}
    assert late["trend"] == {"previous": 0, "change": 1, "change_pct": None, "direction": "up"}
    assert "other" not in {t["key"] for t in data["themes"]}
