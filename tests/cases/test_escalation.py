"""Escalation is exact: a done step never holds back a breached clock, however many there are.

The sweep escalates at most ESCALATION_BATCH cases per clock; more than that many open
cases whose clock already stopped must not fill the batch and starve a fresh breach.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import clocks
from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import Category, Severity, Step
from amends.clock import FrozenClock
from amends.customers import service as customers
from amends.db import transaction
from amends.people.rules import OPERATOR
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

MORE_THAN_A_BATCH = clocks.ESCALATION_BATCH + 1
CUSTOMERS = 77  # cases per customer open in rounds, so spread them over a few customers


def open_many(s: Session, cast: Cast, clock: FrozenClock, count: int) -> list[int]:
    owners = [
        customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name=f"Zákazník {n}",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
            recurring_value=Decimal("100"),
        ).id
        for n in range(CUSTOMERS)
    ]
    specs = [
        cases.NewCase(
            customer_id=owners[n % CUSTOMERS],
            owner_id=cast.agent.id,
            title=f"Chýbajúca dodávka {n}",
            severity=Severity.MEDIUM,
            category=Category.MISSED_COMMITMENT,
        )
        for n in range(count)
    ]
    opened = cases.open_cases(s, actor=OPERATOR, now=clock.now(), specs=specs, playbook=PLAYBOOK)
    return [c.id for c in opened]


def perform(s: Session, case_ids: list[int], done: list[Step], clock: FrozenClock) -> None:
    for case_id in case_ids:
        flows.perform_steps(
            s,
            case_id,
            actor=OPERATOR,
            now=clock.now(),
            playbook=PLAYBOOK,
            steps=done,
            call_note="Called the customer.",
        )


@pytest.mark.slow
def test_a_new_breach_is_escalated_past_a_thousand_acknowledged_cases(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        old = open_many(s, cast, clock, MORE_THAN_A_BATCH)
    # Acknowledged on time: their acknowledgment clock stopped before its deadline.
    with transaction(sessions) as s:
        perform(s, old, [Step.ACKNOWLEDGE], clock)
    clock.advance(timedelta(days=7))
    with transaction(sessions) as s:
        (fresh,) = open_many(s, cast, clock, 1)
    late = clock.now() + timedelta(days=7)
    with transaction(sessions) as s:
        counts = clocks.escalate_breaches(s, now=late)
        case = s.get(Case, fresh)
        assert case is not None and case.ack_due_at is not None and case.ack_due_at < late
        assert case.ack_escalated_at == late
        assert case.ack_within is False
        # Not one of the acknowledged cases escalated its acknowledgment clock.
        assert s.scalars(select(Case.id).where(Case.ack_escalated_at.is_not(None))).all() == [fresh]
    assert counts["ack"] == 1


@pytest.mark.slow
def test_a_new_remedy_breach_is_escalated_past_a_thousand_remedied_cases(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        old = open_many(s, cast, clock, MORE_THAN_A_BATCH)
    with transaction(sessions) as s:
        perform(s, old, [Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY], clock)
    clock.advance(timedelta(days=7))
    with transaction(sessions) as s:
        (fresh,) = open_many(s, cast, clock, 1)
        perform(s, [fresh], [Step.ACKNOWLEDGE], clock)
    late = clock.now() + timedelta(days=30)
    with transaction(sessions) as s:
        counts = clocks.escalate_breaches(s, now=late)
        case = s.get(Case, fresh)
        assert case is not None and case.remedy_due_at is not None
        assert case.remedy_due_at < late and case.waiting_on == "us"
        assert case.remedy_escalated_at == late
        assert s.scalars(select(Case.id).where(Case.remedy_escalated_at.is_not(None))).all() == [
            fresh
        ]
    assert counts["remedy"] == 1


def test_the_oldest_breach_goes_first_when_more_are_due_than_a_sweep_takes(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opened newest-first in id order, so id order and deadline order disagree.
    with transaction(sessions) as s:
        (newer,) = open_many(s, cast, clock, 1)
        case = s.get(Case, newer)
        assert case is not None
        case.opened_at = clock.now() + timedelta(days=2)
        clocks.start(case, PLAYBOOK)
        (older,) = open_many(s, cast, clock, 1)
    with transaction(sessions) as s:
        due = {c.id: c.ack_due_at for c in s.scalars(select(Case))}
        assert due[older] is not None and due[newer] is not None and due[older] < due[newer]
    late = clock.now() + timedelta(days=30)
    monkeypatch.setattr(clocks, "ESCALATION_BATCH", 1)
    with transaction(sessions) as s:
        clocks.escalate_breaches(s, now=late)
    with transaction(sessions) as s:
        first = s.scalars(select(Case.id).where(Case.ack_escalated_at.is_not(None))).all()
    with transaction(sessions) as s:
        clocks.escalate_breaches(s, now=late)
        both = s.scalars(select(Case.id).where(Case.ack_escalated_at.is_not(None))).all()
    assert first == [older]
    assert sorted(both) == sorted([older, newer])
    with transaction(sessions) as s:
        assert clocks.escalate_breaches(s, now=late)["ack"] == 0
