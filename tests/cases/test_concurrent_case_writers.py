"""Two transactions writing cases at the same time neither deadlock nor lose a count.

The dashboard's day counts are appended by triggers, never updated in place; running
totals shared by every case (one row per day for all owners) once made two such
writers deadlock on PostgreSQL. (SQLite lets one writer in at a time: there the second
waits for the first.)
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from amends.cases import days
from amends.cases.rules import Category, Severity
from amends.clock import FrozenClock
from amends.customers import service as customers
from amends.db import transaction
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.reports.test_report import day_counts_hold

CATEGORIES = [Category.LATE_DELIVERY, Category.BILLING, Category.QUALITY, Category.OTHER]
WRITERS = 2
CASES_EACH = 12


def test_writers_opening_cases_at_once_all_commit_and_the_counts_hold(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    now = clock.now()
    with transaction(sessions) as s:
        shops = [
            customers.create_customer(
                s,
                actor=OPERATOR,
                now=now - timedelta(days=30),
                name=f"ร้านค้า {i}",
                language="th",
                timezone="Asia/Bangkok",
                currency="THB",
                recurring_value=Decimal("7000"),
            ).id
            for i in range(WRITERS * CASES_EACH)
        ]
    # Each writer opens its cases one by one in its own transaction, both at once: every
    # case of either lands on the same days and categories.
    start = threading.Barrier(WRITERS + 1)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            with transaction(sessions) as s:
                start.wait(timeout=30)
                for i in range(CASES_EACH):
                    flows.open_case(
                        s,
                        actor=agent,
                        now=now,
                        opened_at=now - timedelta(days=i % 3),
                        customer_id=shops[writer * CASES_EACH + i],
                        owner_id=[cast.agent.id, cast.manager.id][(i + writer) % 2],
                        title=f"Zásielka {writer}-{i} neprišla",
                        severity=Severity.LOW,
                        category=CATEGORIES[i % len(CATEGORIES)],
                        playbook=PLAYBOOK,
                    )
        except BaseException as error:
            failures.append(error)

    def fold() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(5):
                with transaction(sessions) as s:
                    days.fold(s)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    threads.append(threading.Thread(target=fold))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    with transaction(sessions) as s:
        day_counts_hold(s)
        days.fold(s)
        day_counts_hold(s)
        edges = [days.midnight_after(now) - 3 * days.DAY, days.midnight_after(now)]
        (counted,) = days.counts_between(s, edges, ["cases"])
    assert sum(counted.values()) == WRITERS * CASES_EACH
