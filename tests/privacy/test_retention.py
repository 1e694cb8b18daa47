"""With AMENDS_RETENTION_DAYS set, the retention job erases closed cases' content once
they have been closed that long; open cases and every report total stay as they were."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from amends.cases.models import Case
from amends.cases.rules import CaseState
from amends.db import transaction
from amends.messages.models import Message
from amends.privacy.jobs import erase_expired
from amends.privacy.rules import MARKER
from amends.worker import JobContext, registered_jobs
from tests.privacy.conftest import Demo, reports


def _cases(demo: Demo) -> dict[int, tuple[CaseState, str, object]]:
    with transaction(demo.sessions) as session:
        return {c.id: (c.state, c.title, c.closed_at) for c in session.scalars(select(Case))}


@pytest.mark.slow
def test_retention_job_erases_closed_cases_past_the_period_and_nothing_else(demo: Demo) -> None:
    assert "privacy-retention" in registered_jobs()
    before = _cases(demo)
    closed = {i for i, (state, _, _) in before.items() if state is CaseState.CLOSED}
    assert closed and len(closed) < len(before)
    off = JobContext(demo.settings, demo.sessions, demo.clock)
    assert erase_expired(off) == {"skipped": "AMENDS_RETENTION_DAYS is not set"}

    settings = demo.settings.model_copy(update={"retention_days": 30})
    newest = max(before[i][2] for i in closed)  # type: ignore[type-var]
    demo.clock.set(newest + timedelta(days=31))  # type: ignore[operator]
    totals = reports(demo)
    result = erase_expired(JobContext(settings, demo.sessions, demo.clock))
    assert result["cases"] == len(closed)

    after = _cases(demo)
    assert {i for i, (_, title, _) in after.items() if title == MARKER} == closed
    with transaction(demo.sessions) as session:
        texts = session.execute(select(Message.case_id, Message.text)).all()
    assert all(text in (MARKER, "") for case_id, text in texts if case_id in closed)
    assert any(text not in (MARKER, "") for case_id, text in texts if case_id not in closed)
    assert reports(demo) == totals
    # A second run finds nothing left to do.
    assert erase_expired(JobContext(settings, demo.sessions, demo.clock))["cases"] == 0
