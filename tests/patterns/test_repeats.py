"""Repeat failures and the compensation policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.cases.models import Notification
from amends.cases.rules import Category, Origin, Severity
from amends.clock import FrozenClock
from amends.compensation.rules import recommend
from amends.customers import service as customers
from amends.db import transaction
from amends.patterns.rules import PastCase, raised, repeats
from amends.patterns.textsim import rank
from amends.people.rules import OPERATOR
from amends.recovery import flows
from amends.text.fold import fold_words
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

T0 = datetime(2026, 5, 4, 9, tzinfo=UTC)


def test_repeat_rules() -> None:
    history = [
        PastCase(1, "late_delivery", T0 - timedelta(days=30), None),
        PastCase(2, "billing", T0 - timedelta(days=10), None),
        PastCase(3, "late_delivery", T0 - timedelta(days=400), None),
        PastCase(4, "other", T0 - timedelta(days=3), 77),
    ]
    assert repeats(category="late_delivery", commitment_id=None, opened_at=T0, history=history) == [
        1
    ]
    assert repeats(category="other", commitment_id=77, opened_at=T0, history=history) == [4]
    assert repeats(category="other", commitment_id=None, opened_at=T0, history=history) == []
    assert [raised(s) for s in ("low", "medium", "high", "critical")] == [
        "medium",
        "high",
        "critical",
        "critical",
    ]


def test_same_failure_twice_flags_the_second_and_raises_severity(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name="ห้างหุ้นส่วนจำกัด ครัวไทย",
            language="th",
            timezone="Asia/Bangkok",
            currency="THB",
            recurring_value=Decimal("6500"),
        )
        first = flows.open_case(
            s,
            actor=OPERATOR,
            now=clock.now(),
            customer_id=customer.id,
            owner_id=cast.agent.id,
            title="ส่งวัตถุดิบช้า",
            severity=Severity.MEDIUM,
            category=Category.LATE_DELIVERY,
            origin=Origin.COMPLAINT,
            playbook=PLAYBOOK,
        )
        assert first.repeat_of is None
        first_ack_due = first.ack_due_at
    clock.advance(timedelta(days=20))
    with transaction(sessions) as s:
        second = flows.open_case(
            s,
            actor=OPERATOR,
            now=clock.now(),
            customer_id=customer.id,
            owner_id=cast.agent.id,
            title="ส่งวัตถุดิบช้าอีกแล้ว",
            severity=Severity.MEDIUM,
            category=Category.LATE_DELIVERY,
            origin=Origin.COMPLAINT,
            playbook=PLAYBOOK,
        )
        assert second.repeat_of == [first.id]
        assert second.severity == "high"
        assert first_ack_due is not None
        kinds = [e.kind for e in cases.timeline(s, second.id, actor=OPERATOR)]
        assert "repeat_detected" in kinds
        told = s.scalars(
            select(Notification.user_id).where(Notification.kind == "repeat_failure")
        ).all()
        assert sorted(told) == sorted([cast.owner.id, cast.manager.id])


@pytest.mark.parametrize(
    (
        "failed",
        "monthly",
        "severity",
        "repeat",
        "late_days",
        "recurring",
        "kind",
        "amount",
        "phrases",
    ),
    [
        # An ordinary miss: 125% of the loss.
        (200, 200, "medium", False, 0, True, "credit", 250, ["worth 200 EUR", "125%"]),
        # The same again, two weeks late: more, because a second failure hurts more.
        (200, 200, "medium", True, 15, True, "credit", 415, ["happened before", "2 week(s)"]),
        # Very late but ordinary: capped at 150%, more would not buy loyalty.
        (1000, 0, "low", False, 30, False, "refund", 1500, ["capped at 150%"]),
        # Severe and a repeat: the cap rises to 250%.
        (
            1000,
            0,
            "critical",
            True,
            0,
            False,
            "refund",
            2438,
            ["critical severity", "happened before"],
        ),
        # A service without a price: a quarter of the monthly value stands for the loss.
        (0, 6500, "low", False, 0, True, "credit", 2031, ["quarter of the monthly value"]),
        # Nothing with a price lost at all: a gesture, not money.
        (0, 0, "low", False, 0, False, "gift", 0, ["personal gesture"]),
    ],
)
def test_recommendation_table(
    failed: int,
    monthly: int,
    severity: str,
    repeat: bool,
    late_days: int,
    recurring: bool,
    kind: str,
    amount: int,
    phrases: list[str],
) -> None:
    rec = recommend(
        failed_value=Decimal(failed),
        recurring_value=Decimal(monthly),
        currency="EUR",
        severity=severity,
        is_repeat=repeat,
        lateness=timedelta(days=late_days),
        recurring_service=recurring,
    )
    assert (rec.kind.value, rec.amount) == (kind, Decimal(amount))
    for phrase in phrases:
        assert phrase in rec.explanation


def test_text_similarity_across_scripts() -> None:
    assert fold_words("Δεν λάβαμε ΠΟΤΕ τις αναφορές") == "δεν λαβαμε ποτε τισ αναφορεσ"
    assert fold_words("Nedostali sme faktúru") == fold_words("nedostali sme fakturu")
    candidates = {
        1: "Kuriér doručil rozbitú práčku",
        2: "Δεν λάβαμε τις μηνιαίες αναφορές μάρκετινγκ",
        3: "ยังไม่ได้รับรายงานการตลาดประจำเดือน",
        4: "The invoice was charged twice",
    }
    assert rank("Δεν λαβαμε τις μηνιαιες αναφορες", candidates)[0][0] == 2
    assert rank("ไม่ได้รับรายงานการตลาด", candidates)[0][0] == 3
    assert rank("kurier rozbita pracka", candidates)[0][0] == 1
