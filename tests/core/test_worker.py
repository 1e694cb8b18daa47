from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.people import service as people
from amends.people.models import WebSession
from amends.people.rules import Role
from amends.worker import JobContext, Worker


def test_worker_runs_due_jobs_on_schedule(
    sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    with transaction(sessions) as s:
        people.create_user(
            s,
            email="a@example.com",
            name="A",
            role=Role.AGENT,
            now=clock.now(),
            password="long enough pw",
        )
        people.sign_in(s, email="a@example.com", password="long enough pw", now=clock.now())
    worker = Worker(JobContext(settings, sessions, clock))
    assert worker.tick()["purge-expired-sessions"] == {"purged": 0}
    assert worker.tick() == {}  # not due again within the hour
    clock.advance(people.SESSION_LIFETIME + timedelta(hours=1))
    assert worker.tick()["purge-expired-sessions"] == {"purged": 1}
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
