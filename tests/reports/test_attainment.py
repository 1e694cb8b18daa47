"""SLA attainment is reported for every clock, and times are counted in business minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from amends.cases import clocks
from amends.cases import service as cases
from amends.cases.rules import Category, Outcome, Severity, Step
from amends.customers import service as customers
from amends.db import transaction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from amends.reports import service as reports
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

# The test playbook's business hours are 09-17 in Bratislava (UTC+1 in March).
FRIDAY_EVENING = datetime(2026, 3, 6, 15, 30, tzinfo=UTC)  # 16:30 there
MONDAY_MORNING = datetime(2026, 3, 9, 8, 30, tzinfo=UTC)  # 09:30 there


def step(s: Session, agent: Actor, case_id: int, at: datetime, *done: Step) -> None:
    flows.perform_steps(
        s,
        case_id,
        actor=agent,
        now=at,
        playbook=PLAYBOOK,
        steps=list(done),
        outcome=Outcome.RETAINED if Step.CLOSE in done else None,
        call_note="Zavolali sme zákazníkovi a ospravedlnili sa.",
    )


def test_attainment_for_each_clock_in_business_minutes(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        shop = customers.create_customer(
            s,
            actor=OPERATOR,
            now=FRIDAY_EVENING,
            name="Kvetinárstvo Ruža",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
            recurring_value=Decimal("90"),
        )
        on_time, late = (
            flows.open_case(
                s,
                actor=agent,
                now=FRIDAY_EVENING,
                customer_id=shop.id,
                owner_id=cast.agent.id,
                title=title,
                severity=Severity.LOW,
                category=category,
                playbook=PLAYBOOK,
            ).id
            for title, category in (
                ("Zlá kytica", Category.WRONG_ITEM),
                ("Faktúra dvakrát", Category.BILLING),
            )
        )
    with transaction(sessions) as s:
        # Answered first thing on Monday: an hour of business time, not a weekend.
        step(s, agent, on_time, MONDAY_MORNING, Step.OWN, Step.REMEDY)
        assert cases.get_case(s, on_time, actor=OPERATOR).ack_minutes == 60
        step(s, agent, late, MONDAY_MORNING, Step.OWN)
    # The late one's remedy (2 business days) and close (10) clocks run out first.
    much_later = MONDAY_MORNING + timedelta(days=21)
    with transaction(sessions) as s:
        breached = clocks.escalate_breaches(s, now=much_later)
        assert breached["remedy"] == 1 and breached["close"] == 2
    with transaction(sessions) as s:
        step(s, agent, late, much_later, Step.REMEDY)
        step(s, agent, late, much_later, Step.CLOSE)
        step(s, agent, on_time, much_later, Step.CLOSE)
    with transaction(sessions) as s:
        data = reports.recovery_report(s, actor=OPERATOR)
        assert reports.stored_tallies(s) == reports.counted_tallies(s)
        windowed = reports.recovery_report(
            s, actor=OPERATOR, since=FRIDAY_EVENING, until=much_later
        )
    assert data["ack_median_minutes"] == 60
    assert data["ack_within_sla_pct"] == 100.0
    assert data["remedy_within_sla_pct"] == 50.0
    assert data["close_within_sla_pct"] == 0.0  # both closed after the close clock ran out
    assert {row["category"]: row["remedy_within_sla_pct"] for row in data["by_category"]} == {
        "wrong_item": 100.0,
        "billing": 0.0,
    }
    for key in ("ack_within_sla_pct", "remedy_within_sla_pct", "close_within_sla_pct"):
        assert windowed[key] == data[key]
