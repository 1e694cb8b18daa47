"""Recovery metrics computed from a known set of cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import delete, text
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import clocks, days, steps
from amends.cases import service as cases
from amends.cases.rules import Category, Outcome, Severity, Step
from amends.clock import FrozenClock
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.db import transaction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from amends.reports import service as reports
from amends.reports.pages import _ages
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


def day_counts_hold(s: Session) -> None:
    """The kept day counts equal a recount of the cases (the view the triggers read), and
    each customer's first case and first recovery, and latest case in each category,
    equal what their cases say."""
    key = "day, category, metric, value"
    kept, counted = (
        {
            tuple(row[:4]): row[4]
            for row in s.execute(
                text(f"SELECT {key}, SUM(n) FROM {source} GROUP BY {key} HAVING SUM(n) <> 0")
            )
        }
        for source in ("case_day_counts", "case_day_rows")
    )
    assert kept == counted
    assert {metric for _, _, metric, _ in kept} <= {
        "cases",
        "open",
        "ack_within",
        "remedy_within",
        "close_within",
    }
    dates = "SELECT id, first_case_at, recovered_at FROM customers ORDER BY id"
    recounted = (
        "SELECT id, (SELECT min(opened_at) FROM cases WHERE customer_id = customers.id),"
        " (SELECT min(closed_at) FROM cases WHERE customer_id = customers.id"
        "  AND state = 'closed' AND outcome IN ('retained', 'won_back'))"
        " FROM customers ORDER BY id"
    )
    assert s.execute(text(dates)).all() == s.execute(text(recounted)).all()
    hits = "SELECT customer_id, category, last_opened_at FROM category_hits ORDER BY 1, 2"
    latest = (
        "SELECT customer_id, category, max(opened_at) FROM cases GROUP BY customer_id, category"
        " ORDER BY 1, 2"
    )
    assert s.execute(text(hits)).all() == s.execute(text(latest)).all()
    # Read as the dashboard reads them, the kept counts equal a scan of the cases (which
    # a team's figures take): by day over the days the cases were opened in, every way.
    bounds = s.execute(text("SELECT min(opened_at), max(opened_at) FROM cases")).one()
    if bounds[0] is None:
        return
    first, last = (datetime.fromisoformat(str(b)).replace(tzinfo=UTC) for b in bounds)
    edges = [days.midnight_after(first) - days.DAY]
    while edges[-1] <= last:
        edges.append(edges[-1] + days.DAY)
    everyone = list(s.scalars(text("SELECT id FROM users")))
    for metrics, by_category in [
        (["cases", "ack_within", "remedy_within", "close_within"], False),
        (["open"], False),
        (["cases", "close_within"], True),
    ]:
        kept = days.counts_between(s, edges, metrics, by_category=by_category)
        scanned = days.counts_between(s, edges, metrics, everyone, by_category=by_category)
        assert kept == scanned


def test_tallies_follow_every_kind_of_change(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    start = clock.now()

    folds = iter(range(100))

    def consistent() -> None:
        with transaction(sessions) as s:
            assert reports.stored_tallies(s) == reports.counted_tallies(s)
            day_counts_hold(s)
            # Every other time, folded first: the sums hold before and after a fold.
            if next(folds) % 2:
                days.fold(s)
                day_counts_hold(s)
                assert s.scalar(text("SELECT count(*) FROM case_day_counts WHERE NOT folded")) == 0

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
        won_back = s.get(Customer, made[0])
        assert won_back is not None
        assert (won_back.first_case_at, won_back.recovered_at) == (
            start,
            start + timedelta(hours=2),
        )
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


def test_open_cases_are_aged_in_calendar_days_and_labelled_so(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    now = clock.now()
    today = days.midnight_after(now) - days.DAY
    opened = [
        today,  # today
        today - timedelta(minutes=1),  # yesterday, late: within the last 3 days
        today - timedelta(days=3),  # four days ago: within the last 7
        today - timedelta(days=40),  # earlier than 30 days
    ]
    with transaction(sessions) as s:
        shop = customers.create_customer(
            s,
            actor=OPERATOR,
            now=now - timedelta(days=90),
            name="Ζαχαροπλαστείο Άνθος",
            language="el",
            timezone="Europe/Athens",
            currency="EUR",
        ).id
        for i, at in enumerate(opened):
            flows.open_case(
                s,
                actor=OPERATOR,
                now=now,
                opened_at=at,
                customer_id=shop,
                owner_id=cast.agent.id,
                title=f"Παραγγελία {i} άργησε",
                severity=Severity.LOW,
                category=Category.LATE_DELIVERY,
                playbook=PLAYBOOK,
            )
    with transaction(sessions) as s:
        ages = reports.recovery_report(s, actor=OPERATOR, now=now)["open_by_age"]
        # A team's figures count the cases themselves: the same bands.
        assert reports._open_by_age(s, now=now, owners=[cast.agent.id]) == ages
    assert [(a["up_to_days"], a["cases"]) for a in ages] == [
        (1, 1),
        (3, 1),
        (7, 1),
        (30, 0),
        (None, 1),
    ]
    assert _ages(ages, SimpleNamespace(language="sk")) == [
        "otvorené dnes",
        "otvorené za posledné 3 dni",
        "otvorené za posledných 7 dní",
        "otvorené za posledných 30 dní",
        "otvorené skôr",
    ]
    assert _ages(ages, SimpleNamespace(language="el"))[1] == "άνοιξαν τις τελευταίες 3 ημέρες"
    assert _ages(ages, SimpleNamespace(language="th"))[0] == "เปิดวันนี้"
