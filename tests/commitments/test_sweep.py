"""The breach sweep: idempotent, and exactly once with two sweepers at the same time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.commitments import service as commitments
from amends.commitments.models import Breach
from amends.commitments.rules import CommitmentKind
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.db import transaction
from amends.people.rules import OPERATOR
from amends.recovery import sweep as sweeps
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def make_ledger(sessions: sessionmaker[Session], cast: Cast, n: int) -> None:
    with transaction(sessions) as s:
        for i in range(n):
            customer = customers.create_customer(
                s,
                actor=OPERATOR,
                now=START,
                name=f"Ταβέρνα {i}",
                language="el",
                timezone="Europe/Athens",
                currency="EUR",
                recurring_value=Decimal("120"),
                contacts=[
                    customers.ContactInput(name=f"Νίκος {i}", email=f"nikos{i}@taverna.example")
                ],
            )
            commitments.create_commitment(
                s,
                actor=OPERATOR,
                now=START,
                customer_id=customer.id,
                title="Μηνιαία αναφορά κρατήσεων",
                kind=CommitmentKind.RECURRING_SERVICE,
                currency="EUR",
                due_at=START,
                rrule="FREQ=MONTHLY;BYMONTHDAY=5",
                grace_hours=24,
                owner_id=cast.agent.id,
                value=Decimal("120"),
            )


def counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with transaction(sessions) as s:
        return (
            int(s.scalar(select(func.count()).select_from(Breach)) or 0),
            int(s.scalar(select(func.count()).select_from(Case)) or 0),
        )


def test_sweeping_again_opens_nothing_more(sessions: sessionmaker[Session], cast: Cast) -> None:
    make_ledger(sessions, cast, 3)
    when = datetime(2026, 3, 7, tzinfo=UTC)  # January, February and March missed
    with transaction(sessions) as s:
        first = sweeps.sweep(s, now=when, playbook=PLAYBOOK)
    assert first.breaches_opened == 9 and len(first.cases_opened) == 3
    for later in (when, when + timedelta(minutes=1), when + timedelta(hours=5)):
        with transaction(sessions) as s:
            again = sweeps.sweep(s, now=later, playbook=PLAYBOOK)
        assert (again.breaches_opened, again.cases_opened) == (0, [])
    assert counts(sessions) == (9, 3)


def test_nothing_due_reads_nothing(sessions: sessionmaker[Session], cast: Cast) -> None:
    make_ledger(sessions, cast, 2)
    with transaction(sessions) as s:
        result = sweeps.sweep(s, now=START - timedelta(days=1), playbook=PLAYBOOK)
    assert result.commitments_checked == 0


def sweep_together(sessions: sessionmaker[Session], when: datetime) -> list[sweeps.SweepResult]:
    """Two sweeps of the ledger as of ``when``, started at once in two threads."""
    barrier = threading.Barrier(2)
    results: list[sweeps.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            with transaction(sessions) as s:
                results.append(sweeps.sweep(s, now=when, playbook=PLAYBOOK))
        except BaseException as exc:  # surfaced below with the thread's result
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_two_sweepers_at_once_record_each_breach_once(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    make_ledger(sessions, cast, 60)
    when = datetime(2026, 4, 7, tzinfo=UTC)  # four missed months each (January-April)
    results = sweep_together(sessions, when)
    assert sum(r.breaches_opened for r in results) == 240
    assert sum(len(r.cases_opened) for r in results) == 60
    assert counts(sessions) == (240, 60)


def add_one_offs(sessions: sessionmaker[Session], cast: Cast, n: int, *, delivered: int) -> None:
    """n one-off website launches due on 10 January; the first ``delivered`` were done."""
    due = datetime(2026, 1, 10, 12, tzinfo=UTC)
    with transaction(sessions) as s:
        for i in range(n):
            customer = customers.create_customer(
                s,
                actor=OPERATOR,
                now=START,
                name=f"Kavárna {i}",
                language="sk",
                timezone="Europe/Bratislava",
                currency="EUR",
                recurring_value=Decimal("80"),
            )
            promise = commitments.create_commitment(
                s,
                actor=OPERATOR,
                now=START,
                customer_id=customer.id,
                title="Spustenie nového webu",
                kind=CommitmentKind.DELIVERABLE,
                currency="EUR",
                due_at=due,
                grace_hours=48,
                owner_id=cast.agent.id,
                value=Decimal("1500"),
            )
            if i < delivered:
                commitments.add_delivery(
                    s,
                    actor=OPERATOR,
                    now=due,
                    commitment_id=promise.id,
                    delivered_at=due + timedelta(hours=30 * (i % 3)),  # some on time, some late
                )


def test_one_off_promises_are_judged_once(sessions: sessionmaker[Session], cast: Cast) -> None:
    add_one_offs(sessions, cast, 10, delivered=7)
    deadline = datetime(2026, 1, 12, 12, tzinfo=UTC)
    with transaction(sessions) as s:
        at_deadline = sweeps.sweep(s, now=deadline, playbook=PLAYBOOK)
    # At the deadline itself the launch is still due, not missed.
    assert (at_deadline.breaches_opened, at_deadline.commitments_checked) == (0, 0)
    with transaction(sessions) as s:
        first = sweeps.sweep(s, now=deadline + timedelta(seconds=1), playbook=PLAYBOOK)
    assert first.breaches_opened == 3 and len(first.cases_opened) == 3
    assert first.commitments_checked == 10
    with transaction(sessions) as s:
        again = sweeps.sweep(s, now=deadline + timedelta(days=30), playbook=PLAYBOOK)
    assert (again.breaches_opened, again.commitments_checked) == (0, 0)
    assert counts(sessions) == (3, 3)


def test_a_promise_recorded_after_its_deadline_is_still_judged(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    make_ledger(sessions, cast, 1)
    with transaction(sessions) as s:
        sweeps.sweep(s, now=datetime(2026, 3, 7, tzinfo=UTC), playbook=PLAYBOOK)
    # Imported later: a launch that was due in January and never happened.
    add_one_offs(sessions, cast, 1, delivered=0)
    with transaction(sessions) as s:
        late = sweeps.sweep(s, now=datetime(2026, 3, 7, 0, 5, tzinfo=UTC), playbook=PLAYBOOK)
    assert late.breaches_opened == 1 and len(late.cases_opened) == 1


def test_two_misses_of_one_customer_open_two_cases_the_second_a_repeat(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    make_ledger(sessions, cast, 1)
    with transaction(sessions) as s:
        customer_id = s.scalars(select(Customer.id)).one()
        commitments.create_commitment(
            s,
            actor=OPERATOR,
            now=START,
            customer_id=customer_id,
            title="Nová webová stránka",
            kind=CommitmentKind.DELIVERABLE,
            currency="EUR",
            due_at=datetime(2026, 2, 1, 9, tzinfo=UTC),
            grace_hours=24,
            owner_id=cast.agent.id,
            value=Decimal("900"),
        )
    with transaction(sessions) as s:
        result = sweeps.sweep(s, now=datetime(2026, 2, 10, tzinfo=UTC), playbook=PLAYBOOK)
    assert len(result.cases_opened) == 2
    with transaction(sessions) as s:
        opened = list(s.scalars(select(Case).order_by(Case.id)))
        # Opened together, judged as if one after the other: only the later one repeats.
        assert opened[0].repeat_of is None
        assert opened[1].repeat_of == [opened[0].id]


def test_two_sweepers_at_once_with_one_offs_and_recurring(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    make_ledger(sessions, cast, 30)
    add_one_offs(sessions, cast, 40, delivered=25)
    when = datetime(2026, 4, 7, tzinfo=UTC)  # 4 months x 30, and 15 launches missed
    results = sweep_together(sessions, when)
    assert sum(r.breaches_opened for r in results) == 135
    assert sum(len(r.cases_opened) for r in results) == 45
    assert sum(r.commitments_checked for r in results) == 70
    assert counts(sessions) == (135, 45)
