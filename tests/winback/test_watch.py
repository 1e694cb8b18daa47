"""After a recovery the owner watches the customer's next deliveries: told a day before
each is due, and a miss while watched is a critical repeat of the recovered case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case, Notification, TimelineEvent
from amends.cases.rules import Category, Origin, Outcome, Severity, Step
from amends.clock import FrozenClock
from amends.commitments import service as commitments
from amends.commitments.rules import CommitmentKind
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from amends.recovery import sweep as sweeps
from amends.worker import JobContext, Worker, registered_jobs
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

JOB = "winback-follow-ups"


def recovered(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, outcome: Outcome
) -> tuple[int, int]:
    """A customer with a monthly report due in three days, whose case closed ``outcome``:
    (customer id, case id)."""
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
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
        commitments.create_commitment(
            s,
            actor=OPERATOR,
            now=clock.now(),
            customer_id=customer.id,
            title="Μηνιαία αναφορά μάρκετινγκ",
            kind=CommitmentKind.RECURRING_SERVICE,
            currency="EUR",
            value=Decimal("50"),
            due_at=clock.now() + timedelta(days=3),
            rrule="FREQ=MONTHLY",
            owner_id=cast.agent.id,
        )
        case = flows.open_case(
            s,
            actor=agent,
            now=clock.now(),
            customer_id=customer.id,
            owner_id=cast.agent.id,
            title="Η αναφορά δεν ήρθε",
            severity=Severity.LOW,
            category=Category.COMMUNICATION,
            origin=Origin.COMPLAINT,
            playbook=PLAYBOOK,
        )
        for steps in ([Step.OWN, Step.REMEDY], [Step.CLOSE]):
            flows.perform_steps(
                s,
                case.id,
                actor=agent,
                now=clock.now(),
                playbook=PLAYBOOK,
                steps=steps,
                outcome=outcome if Step.CLOSE in steps else None,
                call_note="Τηλεφώνησα στον πελάτη.",
            )
        return customer.id, case.id


def reminders(sessions: sessionmaker[Session], user_id: int) -> list[Notification]:
    with transaction(sessions) as s:
        found = list(
            s.scalars(
                select(Notification).where(
                    Notification.user_id == user_id, Notification.kind == "watch_due"
                )
            )
        )
        s.expunge_all()
        return found


def test_the_owner_is_told_a_day_before_each_watched_delivery_and_only_once(
    client: TestClient,
    cast: Cast,
    clock: FrozenClock,
    settings: Settings,
    sessions: sessionmaker[Session],
) -> None:
    customer_id, case_id = recovered(sessions, clock, cast, Outcome.RETAINED)
    listed = client.get("/api/v1/watch", headers=cast.agent.headers).json()
    assert [(w["case_id"], w["customer_id"]) for w in listed] == [(case_id, customer_id)] * 3
    # The three next monthly reports are watched, the first in three days.
    first = listed[0]["due_at"]
    assert listed[1]["due_at"] > first
    assert client.get("/api/v1/watch", headers=cast.manager.headers).json() == []
    jobs = Worker(JobContext(settings, sessions, clock), jobs={JOB: registered_jobs()[JOB]})
    clock.advance(timedelta(days=1, hours=23))  # 25 hours before the report is due
    jobs.tick()
    assert reminders(sessions, cast.agent.id) == []
    clock.advance(timedelta(hours=2))  # 23 hours before
    assert jobs.tick()[JOB]["reminded"] == 1
    (told,) = reminders(sessions, cast.agent.id)
    assert told.case_id == case_id and "Μηνιαία αναφορά μάρκετινγκ" in told.text
    clock.advance(timedelta(minutes=10))
    jobs.tick()
    assert len(reminders(sessions, cast.agent.id)) == 1
    page = client.get("/watch", headers=cast.agent.headers)
    assert page.status_code == 200


def test_a_miss_during_the_watch_is_a_critical_repeat_of_the_recovered_case(
    cast: Cast, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    _, case_id = recovered(sessions, clock, cast, Outcome.WON_BACK)
    # The first watched report is never delivered; the sweep finds the miss.
    clock.advance(timedelta(days=4))
    with transaction(sessions) as s:
        (opened,) = sweeps.sweep(s, now=clock.now(), playbook=PLAYBOOK).cases_opened
    with transaction(sessions) as s:
        case = s.get(Case, opened)
        assert case is not None
        assert case.severity == Severity.CRITICAL
        assert case_id in (case.repeat_of or [])
        kinds = s.scalars(select(TimelineEvent.kind).where(TimelineEvent.case_id == opened)).all()
        assert "watch_missed" in kinds
        told = s.scalars(
            select(Notification.user_id).where(
                Notification.case_id == opened, Notification.kind == "repeat_failure"
            )
        ).all()
        assert cast.agent.id in told and cast.manager.id in told


def test_a_miss_with_no_recovery_before_it_is_not_raised_to_critical(
    cast: Cast, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    # Lost, not recovered: nothing is watched (and the lost customer's promises pause).
    recovered(sessions, clock, cast, Outcome.LOST)
    with transaction(sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name="Kitchen Co",
            language="en",
            timezone="UTC",
            currency="EUR",
        )
        commitments.create_commitment(
            s,
            actor=OPERATOR,
            now=clock.now(),
            customer_id=customer.id,
            title="Weekly menu photos",
            kind=CommitmentKind.DELIVERABLE,
            currency="EUR",
            value=Decimal("20"),
            due_at=clock.now() + timedelta(days=1),
        )
    clock.advance(timedelta(days=4))
    with transaction(sessions) as s:
        (opened,) = sweeps.sweep(s, now=clock.now(), playbook=PLAYBOOK).cases_opened
        case = s.get(Case, opened)
        assert case is not None and case.severity != Severity.CRITICAL
