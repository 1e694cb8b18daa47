"""The breach sweep: idempotent, and exactly once with two sweepers at the same time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.commitments import ledger
from amends.commitments import service as commitments
from amends.commitments.models import Breach
from amends.commitments.rules import CommitmentKind
from amends.customers import service as customers
from amends.db import transaction
from amends.people.rules import OPERATOR
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
        first = ledger.sweep(s, now=when, playbook=PLAYBOOK)
    assert first.breaches_opened == 9 and len(first.cases_opened) == 3
    for later in (when, when + timedelta(minutes=1), when + timedelta(hours=5)):
        with transaction(sessions) as s:
            again = ledger.sweep(s, now=later, playbook=PLAYBOOK)
        assert (again.breaches_opened, again.cases_opened) == (0, [])
    assert counts(sessions) == (9, 3)


def test_nothing_due_reads_nothing(sessions: sessionmaker[Session], cast: Cast) -> None:
    make_ledger(sessions, cast, 2)
    with transaction(sessions) as s:
        result = ledger.sweep(s, now=START - timedelta(days=1), playbook=PLAYBOOK)
    assert result.commitments_checked == 0


def test_two_sweepers_at_once_record_each_breach_once(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    make_ledger(sessions, cast, 60)
    when = datetime(2026, 4, 7, tzinfo=UTC)  # four missed months each (January-April)
    barrier = threading.Barrier(2)
    results: list[ledger.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            with transaction(sessions) as s:
                results.append(ledger.sweep(s, now=when, playbook=PLAYBOOK))
        except BaseException as exc:  # surfaced below with the thread's result
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.breaches_opened for r in results) == 240
    assert sum(len(r.cases_opened) for r in results) == 60
    assert counts(sessions) == (240, 60)
