"""Recovery metrics computed from a known set of cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import clocks, steps
from amends.cases import service as cases
from amends.cases.rules import Category, Outcome, Severity, Step
from amends.clock import FrozenClock
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.db import transaction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from amends.reports import service as reports
from amends.reports.rules import percentile
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast


def test_percentile_from_histogram() -> None:
    assert percentile({}, 0.5) is None
    assert percentile({10: 1}, 0.9) == 10
    # 1..10 once each: median is the 5th value, p90 the 9th (nearest rank).
    histogram = dict.fromkeys(range(1, 11), 1)
    assert percentile(histogram, 0.5) == 5
    assert percentile(histogram, 0.9) == 9
    assert percentile({5: 99, 500: 1}, 0.9) == 5


def acknowledge_after(
    sessions: sessionmaker[Session],
    agent: Actor,
    ids: list[int],
    start: datetime,
    minutes: tuple[int, ...],
) -> None:
    """The agent owns and remedies each of the first cases ``minutes`` after ``start``."""
    for case_id, after in zip(ids, minutes, strict=False):
        with transaction(sessions) as s:
            flows.perform_steps(
                s,
                case_id,
                actor=agent,
                now=start + timedelta(minutes=after),
                playbook=PLAYBOOK,
                steps=[Step.OWN, Step.REMEDY],
                call_note="Called the customer and told them.",
            )


def test_report_counts_speed_handoffs_and_outcomes(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    start = clock.now()
    with transaction(sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=start,
            name="Λέσχη",
            language="el",
            timezone="Europe/Athens",
            currency="EUR",
            recurring_value=Decimal("90"),
        )
        ids = [
            flows.open_case(
                s,
                actor=agent,
                now=start,
                customer_id=customer.id,
                owner_id=cast.agent.id,
                title=f"case {i}",
                severity=Severity.LOW,
                category=Category.OTHER,
                playbook=PLAYBOOK,
            ).id
            for i in range(4)
        ]
    # Acknowledged after 10, 30 and 90 minutes; the fourth never (and is now overdue).
    acknowledge_after(sessions, agent, ids, start, (10, 30, 90))
    with transaction(sessions) as s:
        steps.handoff(
            s,
            ids[3],
            actor=agent,
            now=start,
            to_user_id=cast.manager.id,
            reason="manager's customer",
        )
        flows.perform_steps(
            s,
            ids[0],
            actor=agent,
            now=start + timedelta(hours=3),
            playbook=PLAYBOOK,
            steps=[Step.CLOSE],
            outcome=Outcome.RETAINED,
            call_note="Called the customer and told them.",
        )
        flows.perform_steps(
            s,
            ids[1],
            actor=agent,
            now=start + timedelta(hours=3),
            playbook=PLAYBOOK,
            steps=[Step.CLOSE],
            outcome=Outcome.LOST,
            call_note="Called the customer and told them.",
        )
    with transaction(sessions) as s:
        clocks.escalate_breaches(s, now=start + timedelta(hours=4))  # what the worker does
        data = reports.recovery_report(s, actor=OPERATOR)
    assert data["cases"] == 4
    assert data["ack_median_minutes"] == 30
    assert data["ack_p90_minutes"] == 90
    assert data["ack_within_sla_pct"] == 50.0  # 10 and 30 in time; 90 late; one never
    assert data["handoffs_per_case"] == 0.25
    assert data["one_interaction_pct"] == 100.0
    assert data["outcomes"] == {"lost": 50.0, "retained": 50.0}
    owners = {row["owner_id"]: row["cases"] for row in data["by_owner"]}
    assert owners == {cast.agent.id: 3, cast.manager.id: 1}
    # The report over all time reads the trigger-kept tallies; over a window it counts
    # the cases. Both must agree.
    with transaction(sessions) as s:
        assert reports.stored_tallies(s) == reports.counted_tallies(s)
        windowed = reports.recovery_report(s, actor=OPERATOR, since=start - timedelta(days=1))
    # (The recovery-paradox figure is read from survey answers, not the tallies.)
    apart = {"since", "recovery_paradox"}
    assert {k: v for k, v in windowed.items() if k not in apart} == {
        k: v for k, v in data.items() if k not in apart
    }


def test_tallies_follow_every_kind_of_change(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    start = clock.now()

    def consistent() -> None:
        with transaction(sessions) as s:
            assert reports.stored_tallies(s) == reports.counted_tallies(s)

    with transaction(sessions) as s:
        made = [
            customers.create_customer(
                s,
                actor=OPERATOR,
                now=start,
                name=name,
                language=language,
                timezone=tz,
                currency="EUR",
                recurring_value=Decimal("120"),
            ).id
            for name, language, tz in [
                ("ร้านอาหารริมน้ำ", "th", "Asia/Bangkok"),
                ("Kaviareň Pod Hradom", "sk", "Europe/Bratislava"),
            ]
        ]
        ids = [
            flows.open_case(
                s,
                actor=agent,
                now=start,
                customer_id=made[i % 2],
                owner_id=cast.agent.id if i % 3 else cast.manager.id,
                title=f"Objednávka {i} meškala",
                severity=Severity.LOW,
                category=[Category.LATE_DELIVERY, Category.BILLING, Category.QUALITY][i % 3],
                playbook=PLAYBOOK,
            ).id
            for i in range(6)
        ]
    consistent()
    acknowledge_after(sessions, agent, ids, start, (5, 45, 130, 20))
    consistent()
    with transaction(sessions) as s:
        steps.handoff(
            s, ids[4], actor=agent, now=start, to_user_id=cast.manager.id, reason="dovolenka"
        )
        steps.handoff(
            s, ids[4], actor=agent, now=start, to_user_id=cast.agent.id, reason="späť z dovolenky"
        )
        cases.update_case(
            s,
            ids[2],
            actor=agent,
            now=start,
            playbook=PLAYBOOK,
            changes={"category": Category.COMMUNICATION},
        )
        flows.perform_steps(
            s,
            ids[0],
            actor=agent,
            now=start + timedelta(hours=2),
            playbook=PLAYBOOK,
            steps=[Step.CLOSE],
            outcome=Outcome.WON_BACK,
            call_note="Called the customer and told them.",
        )
    consistent()
    with transaction(sessions) as s:
        clocks.escalate_breaches(s, now=start + timedelta(days=3))
    consistent()
    with transaction(sessions) as s:
        # A customer's removal cascades to its cases in the database itself.
        s.execute(delete(Customer).where(Customer.id == made[1]))
    consistent()
    with transaction(sessions) as s:
        data = reports.recovery_report(s, actor=OPERATOR)
    assert data["cases"] == 3
    assert data["handoffs_per_case"] == round(2 / 3, 3)
    assert data["outcomes"] == {"won_back": 100.0}
