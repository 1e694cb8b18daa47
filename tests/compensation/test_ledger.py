"""The compensation ledger: what was given per month against the revenue it kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from amends.cases.rules import Category, Outcome, Severity, Step
from amends.clock import FrozenClock
from amends.compensation import report
from amends.compensation import service as compensations
from amends.compensation.rules import LedgerEntry, ledger, whole_months
from amends.db import transaction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.patterns.helpers import COURIER, add_shop, open_courier_case


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=UTC)


def test_whole_months_count_full_periods_only() -> None:
    assert whole_months(at(1, 10), at(5, 4)) == 3
    assert whole_months(at(1, 10), at(5, 10)) == 4
    assert whole_months(datetime(2026, 1, 31, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC)) == 1
    assert whole_months(at(5, 4), at(5, 1)) == 0


def test_one_customer_counts_once_per_month_and_lost_ones_stop_earning() -> None:
    entries = [
        LedgerEntry(at(1, 5), "2026-01", Decimal("50"), "EUR", 1, Decimal("100"), "EUR", None),
        LedgerEntry(at(1, 20), "2026-01", Decimal("30"), "EUR", 1, Decimal("100"), "EUR", None),
        LedgerEntry(at(1, 8), "2026-01", Decimal("40"), "EUR", 2, Decimal("60"), "EUR", at(3, 9)),
    ]
    month = ledger(entries, as_of=at(4, 5))["months"][0]
    assert month["compensations"] == 3 and month["customers"] == 2
    assert month["given"] == {"EUR": "120.00"}
    # Customer 1 from 5 January: 3 months of 100; customer 2 paid 2 months of 60 and left.
    assert month["earned_since"] == {"EUR": "420.00"}
    assert month["recurring_kept"] == {"EUR": "100.00"}
    assert month["recurring_lost"] == {"EUR": "60.00"}
    assert month["recovery_return"] == {"EUR": "3.50"}


def test_ledger_report_from_cases(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    manager = Actor(cast.manager.id, cast.manager.role)
    with transaction(sessions) as s:
        shops = [add_shop(s, shop, now=at(1, 1)) for shop in COURIER[:4]]
        cases = [
            open_courier_case(
                s,
                customer_id=shops[i],
                owner_id=cast.agent.id,
                title=COURIER[i].complaint,
                now=when,
                playbook=PLAYBOOK,
                severity=Severity.LOW,
                category=category,
            ).id
            for i, when, category in [
                (0, at(1, 10), Category.QUALITY),
                (2, at(1, 20), Category.BILLING),
                (1, at(2, 10), Category.LATE_DELIVERY),
                (3, at(2, 12), Category.WRONG_ITEM),
            ]
        ]

        def give(case_id: int, when: datetime, kind: str, amount: str, who: Actor) -> int | None:
            return flows.perform_steps(
                s,
                case_id,
                actor=who,
                now=when,
                playbook=PLAYBOOK,
                steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
                compensation=flows.CompensationInput(kind, Decimal(amount), None, "for the loss"),
                call_note="Called the customer and told them.",
            ).compensation_id

        # The Slovak florist: a credit of 150 within the owner's authority, kept since.
        give(cases[0], at(1, 10), "credit", "150", OPERATOR)
        # The Greek bakery: 250 asked by the agent, approved in February, then lost in March.
        held = give(cases[1], at(1, 20), "credit", "250", agent)
        assert held is not None
        flows.decide_compensation(
            s, held, actor=manager, now=at(2, 2), playbook=PLAYBOOK, approve=True
        )
        flows.perform_steps(
            s,
            cases[1],
            actor=OPERATOR,
            now=at(3, 15),
            playbook=PLAYBOOK,
            steps=[Step.CLOSE],
            outcome=Outcome.LOST,
            call_note="Called the customer and told them.",
        )
        # The Thai café: a gift worth 1000 THB; they stay.
        flows.perform_steps(
            s,
            cases[2],
            actor=OPERATOR,
            now=at(2, 10),
            playbook=PLAYBOOK,
            steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
            compensation=flows.CompensationInput("gift", Decimal("1000"), "THB", "coffee set"),
            call_note="Called the customer and told them.",
        )
        # The joinery: a request declined, then nothing given; neither is in the ledger.
        declined = give(cases[3], at(2, 12), "refund", "500", agent)
        assert declined is not None
        flows.decide_compensation(
            s, declined, actor=manager, now=at(2, 13), playbook=PLAYBOOK, approve=False
        )
        flows.perform_steps(
            s,
            cases[3],
            actor=OPERATOR,
            now=at(2, 14),
            playbook=PLAYBOOK,
            steps=[Step.COMPENSATE],
            compensation=flows.CompensationInput("none", rationale="they asked for nothing"),
            call_note="Called the customer and told them.",
        )
    with transaction(sessions) as s:
        data = report.ledger_report(s, actor=OPERATOR, now=clock.now(), timezone="Europe/Athens")
    assert clock.now() == at(5, 4)
    january, february = data["months"]
    assert january == {
        "month": "2026-01",
        "compensations": 1,
        "customers": 1,
        "customers_kept": 1,
        "customers_lost": 0,
        "given": {"EUR": "150.00"},
        "recurring_kept": {"EUR": "120.00"},
        "recurring_lost": {},
        "earned_since": {"EUR": "360.00"},  # three whole months of 120
        "recovery_return": {"EUR": "2.40"},
    }
    assert february["month"] == "2026-02"
    assert (february["compensations"], february["customers"]) == (2, 2)
    assert (february["customers_kept"], february["customers_lost"]) == (1, 1)
    assert february["given"] == {"EUR": "250.00", "THB": "1000.00"}
    assert february["recurring_kept"] == {"THB": "4500.00"}
    assert february["recurring_lost"] == {"EUR": "200.00"}
    # The bakery paid one month before leaving; the café two months so far.
    assert february["earned_since"] == {"EUR": "200.00", "THB": "9000.00"}
    assert february["recovery_return"] == {"EUR": "0.80", "THB": "9.00"}
    assert data["total"]["given"] == {"EUR": "400.00", "THB": "1000.00"}
    assert data["total"]["earned_since"] == {"EUR": "560.00", "THB": "9000.00"}
    assert data["total"]["recovery_return"] == {"EUR": "1.40", "THB": "9.00"}

    with transaction(sessions) as s:
        february_only = report.ledger_report(
            s, actor=OPERATOR, now=clock.now(), since=at(2, 5), until=at(3, 1)
        )
    # Only what was given in [5 February, 1 March): the café's gift.
    assert [m["month"] for m in february_only["months"]] == ["2026-02"]
    assert february_only["total"]["given"] == {"THB": "1000.00"}


def test_recommendations_for_a_table_of_real_cases(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    """The policy fed from stored cases: what failed, the customer's value, the severity
    and whether the same failure happened before."""
    from amends.commitments import service as commitments
    from amends.commitments.rules import CommitmentKind

    now = clock.now()
    with transaction(sessions) as s:
        cafe = add_shop(s, replace(COURIER[1], monthly="6500.00"), now=now)
        florist = add_shop(s, COURIER[0], now=now)
        bakery = add_shop(s, replace(COURIER[2], monthly="0"), now=now)
        website = commitments.create_commitment(
            s,
            actor=OPERATOR,
            now=now,
            customer_id=florist,
            title="Nový e-shop spustený do 1. mája",
            kind=CommitmentKind.DELIVERABLE,
            currency="EUR",
            due_at=now,
            value=Decimal("800"),
        )

        def case(
            customer_id: int, title: str, severity: Severity, commitment_id: int | None = None
        ) -> int:
            return open_courier_case(
                s,
                customer_id=customer_id,
                owner_id=cast.agent.id,
                title=title,
                now=now,
                playbook=PLAYBOOK,
                severity=severity,
                category=Category.LATE_DELIVERY,
                commitment_id=commitment_id,
            ).id

        table = [
            # The café's first late delivery: a quarter of 6,500 THB a month is the loss.
            (
                case(cafe, "ส่งเมล็ดกาแฟช้าไปสามวัน", Severity.MEDIUM),
                ("credit", Decimal("2031"), "THB"),
                ["quarter of the monthly value", "125%"],
            ),
            # The same again: it becomes high severity and a repeat, so more is right.
            (
                case(cafe, "ส่งเมล็ดกาแฟช้าอีกแล้ว", Severity.MEDIUM),
                ("credit", Decimal("3961"), "THB"),
                ["high severity", "happened before"],
            ),
            # A priced deliverable that slipped: 125% of its 800 EUR back.
            (
                case(
                    florist, "E-shop nebol spustený načas", Severity.LOW, commitment_id=website.id
                ),
                ("refund", Decimal("1000"), "EUR"),
                ["worth 800 EUR", "as a refund"],
            ),
            # Nothing with a price lost: a gesture, not money.
            (
                case(bakery, "Ο κούριερ ήρθε με μία ώρα καθυστέρηση", Severity.LOW),
                ("gift", Decimal("0"), "EUR"),
                ["personal gesture"],
            ),
        ]
        for case_id, (kind, amount, currency), phrases in table:
            from amends.cases.models import Case

            stored = s.get(Case, case_id)
            assert stored is not None
            rec = compensations.recommendation_for(s, stored, now=now, policy=PLAYBOOK.compensation)
            assert (rec.kind.value, rec.amount, rec.currency) == (kind, amount, currency)
            for phrase in phrases:
                assert phrase in rec.explanation, (phrase, rec.explanation)
