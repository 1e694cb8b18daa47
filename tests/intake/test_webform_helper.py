"""A web-form complaint is never lost when the helper process that takes it in dies."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.config import Settings
from amends.db import transaction
from amends.intake import webform
from amends.intake.models import RawMail
from amends.messages.models import Message
from tests.conftest import Cast


def _complaint(n: int) -> webform.Complaint:
    return webform.Complaint(
        sender=f"Zákazník {n}",
        address=f"zakaznik{n}@firma.example",
        title=f"Objednávka {n} neprišla",
        text="Objednávka neprišla ani po týždni, prosím o vysvetlenie.",
        client="203.0.113.9",
        uploads=(),
        robot=False,
    )


@pytest.mark.slow
def test_a_complaint_is_taken_in_even_when_the_helper_process_has_died(
    settings: Settings, sessions: sessionmaker[Session], cast: Cast
) -> None:
    # ``cast``: an owner exists to own the cases the complaints open.
    at = datetime(2026, 5, 4, 9, tzinfo=UTC)
    try:
        assert webform.take_in(settings, at, _complaint(1)) is not None
        pool = webform._POOL
        assert pool is not None
        (helper,) = pool._processes  # type: ignore[attr-defined]
        os.kill(helper, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{helper}") and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for a real process to die, not test time
        # The dead helper's pool is broken; this complaint is taken in all the same.
        assert webform.take_in(settings, at, _complaint(2)) is not None
        # And the next one has a new helper again.
        assert webform.take_in(settings, at, _complaint(3)) is not None
        assert webform._POOL is not None and webform._POOL is not pool
    finally:
        webform.shutdown()
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(RawMail)) == 3
        assert s.scalar(select(func.count()).select_from(Message)) == 3
