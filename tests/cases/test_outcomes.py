"""A case's outcome reaches its customer: lost, won back or parted ways, and their promises."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case, TimelineEvent
from amends.cases.rules import Category, Origin, Outcome, Severity, Step
from amends.clock import FrozenClock
from amends.commitments import service as commitments
from amends.commitments.models import Commitment
from amends.commitments.rules import CommitmentKind
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.db import transaction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from amends.recovery import sweep as sweeps
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast


def customer_with_reports(s: Session, clock: FrozenClock) -> tuple[int, int]:
    customer = customers.create_customer(
        s,
        actor=OPERATOR,
        now=clock.now(),
        name="Ξενοδοχείο Αιγαίο",
        language="el",
        timezone="Europe/Athens",
        currency="EUR",
        recurring_value=Decimal("200"),
    )
    report = commitments.create_commitment(
        s,
        actor=OPERATOR,
        now=clock.now(),
        customer_id=customer.id,
        title="Μηνιαία αναφορά μάρκετινγκ",
        kind=CommitmentKind.RECURRING_SERVICE,
        currency="EUR",
        value=Decimal("200"),
        due_at=clock.now() + timedelta(days=3),
        rrule="FREQ=MONTHLY",
    )
    return customer.id, report.id


def close_with(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    customer_id: int,
    outcome: Outcome,
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        case = flows.open_case(
            s,
            actor=agent,
            now=clock.now(),
            customer_id=customer_id,
            owner_id=cast.agent.id,
            title="Η αναφορά δεν ήρθε",
            severity=Severity.LOW,
            category=Category.COMMUNICATION,
            origin=Origin.COMPLAINT,
            playbook=PLAYBOOK,
        )
        # A second case of the same customer is a repeat, and a repeat needs compensating.
        nothing = flows.CompensationInput("none", rationale="the customer asked for nothing")
        for steps in ([Step.OWN, Step.REMEDY, Step.COMPENSATE], [Step.CLOSE]):
            flows.perform_steps(
                s,
                case.id,
                actor=agent,
                now=clock.now(),
                playbook=PLAYBOOK,
                steps=steps,
                outcome=outcome if Step.CLOSE in steps else None,
                compensation=nothing if Step.COMPENSATE in steps else None,
                call_note="Called the customer and told them.",
            )


def state(sessions: sessionmaker[Session], customer_id: int, report_id: int) -> tuple[str, str]:
    with transaction(sessions) as s:
        customer = s.get(Customer, customer_id)
        report = s.get(Commitment, report_id)
        assert customer is not None and report is not None
        return customer.status, report.status


def swept_cases(sessions: sessionmaker[Session], clock: FrozenClock) -> list[int]:
    with transaction(sessions) as s:
        return sweeps.sweep(s, now=clock.now(), playbook=PLAYBOOK).cases_opened


def test_a_parted_ways_customer_is_marked_and_their_promises_end(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        customer_id, report_id = customer_with_reports(s, clock)
    close_with(sessions, clock, cast, customer_id, Outcome.PARTED_WAYS)
    assert state(sessions, customer_id, report_id) == ("parted_ways", "ended")
    # A month on, nothing is swept for them: no proactive "we missed your report".
    clock.advance(timedelta(days=40))
    assert swept_cases(sessions, clock) == []
    with transaction(sessions) as s:
        (event,) = s.scalars(select(TimelineEvent).where(TimelineEvent.kind == "customer_status"))
        assert event.data["after"] == "parted_ways" and event.data["commitments"] == [report_id]


def test_a_lost_customer_is_not_swept_and_resumes_when_won_back(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    with transaction(sessions) as s:
        customer_id, report_id = customer_with_reports(s, clock)
    close_with(sessions, clock, cast, customer_id, Outcome.LOST)
    assert state(sessions, customer_id, report_id) == ("lost", "paused")
    clock.advance(timedelta(days=40))
    assert swept_cases(sessions, clock) == []
    close_with(sessions, clock, cast, customer_id, Outcome.WON_BACK)
    assert state(sessions, customer_id, report_id) == ("won_back", "active")


@pytest.mark.parametrize("before", ["at_risk", "active"])
def test_a_retained_customer_at_risk_is_active_again(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, before: str
) -> None:
    with transaction(sessions) as s:
        customer_id, report_id = customer_with_reports(s, clock)
        customer = s.get(Customer, customer_id)
        assert customer is not None
        customer.status = before
    close_with(sessions, clock, cast, customer_id, Outcome.RETAINED)
    assert state(sessions, customer_id, report_id) == ("active", "active")
    with transaction(sessions) as s:
        assert s.scalars(select(Case.outcome)).all() == ["retained"]
