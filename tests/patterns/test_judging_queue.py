"""Cases opened by mail intake are judged for repeats and patterns after the batch
commits, and a case whose judging was cut short by a crash is judged by the job."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.cases.rules import Outcome, Step
from amends.clock import FrozenClock
from amends.compensation.rules import CompensationKind
from amends.config import Settings
from amends.db import transaction
from amends.intake import pipeline
from amends.intake.pipeline import IntakeContext, ingest
from amends.patterns import judging
from amends.patterns.jobs import judge_cases
from amends.people.rules import OPERATOR
from amends.recovery import flows
from amends.worker import JobContext
from tests.conftest import DEFAULT_PLAYBOOK, Cast


def mail(n: int, subject: str, text: str) -> bytes:
    return (
        "From: Ľubica Horváthová <lubica@pekaren.example>\r\n"
        "To: care@amends.example\r\n"
        f"Subject: {subject}\r\nMessage-ID: <m{n}@pekaren.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n"
    ).encode()


FIRST = mail(1, "Kuriér", "Kuriér nechal balík s múkou pred dverami a celý ho zmočil dážď.")
AGAIN = mail(2, "Zase", "Zase kuriér nechal balík s múkou pred dverami a zmočil ho dážď.")


def close(sessions: sessionmaker[Session], clock: FrozenClock, case_id: int | None) -> None:
    """Put the first complaint right and close it: the same failure told again after
    that is a repeat, not the same open matter."""
    assert case_id is not None
    note = "Called the customer and told them."
    with transaction(sessions) as s:
        for steps, outcome in (
            ([Step.OWN, Step.REMEDY, Step.COMPENSATE, Step.EXPLAIN_CHANGE, Step.FOLLOW_UP], None),
            ([Step.CLOSE], Outcome.RETAINED),
        ):
            flows.perform_steps(
                s, case_id, actor=OPERATOR, now=clock.now(), playbook=DEFAULT_PLAYBOOK,
                steps=steps, outcome=outcome, call_note=note,
                compensation=flows.CompensationInput(CompensationKind.GIFT, rationale="a cake")
                if outcome is None else None,
            )  # fmt: skip


def queued(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as s:
        return judging.waiting(s)


def repeat_of(sessions: sessionmaker[Session], case_id: int | None) -> list[int]:
    with transaction(sessions) as s:
        case = s.get(Case, case_id)
        assert case is not None
        return list(case.repeat_of or [])


def test_intake_judges_its_new_cases_after_the_commit(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    settings: Settings,
    cast: Cast,
    tmp_path: Path,
) -> None:
    ctx = IntakeContext(settings.model_copy(update={"home": tmp_path}), sessions, clock,
                        DEFAULT_PLAYBOOK)  # fmt: skip
    first = ingest(ctx, FIRST, source="eml", source_ref="1.eml")
    close(sessions, clock, first.case_id)
    again = ingest(ctx, AGAIN, source="eml", source_ref="2.eml")
    # The first is closed: a case of its own, and a repeat of the first, judged on the
    # customer's words before ingest returned.
    assert again.case_id != first.case_id
    assert repeat_of(sessions, again.case_id) == [first.case_id]
    assert queued(sessions) == 0


def test_a_case_left_unjudged_by_a_crash_is_judged_by_the_job(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    settings: Settings,
    cast: Cast,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = settings.model_copy(update={"home": tmp_path})
    ctx = IntakeContext(cfg, sessions, clock, DEFAULT_PLAYBOOK)
    first = ingest(ctx, FIRST, source="eml", source_ref="1.eml")
    close(sessions, clock, first.case_id)
    # The process dies between the batch's commit and judging its cases.
    monkeypatch.setattr(pipeline.judging, "drain_judging", lambda *a, **k: 0)
    again = ingest(ctx, AGAIN, source="eml", source_ref="2.eml")
    monkeypatch.undo()
    assert queued(sessions) == 1
    assert repeat_of(sessions, again.case_id) == []
    assert judge_cases(JobContext(cfg, sessions, clock)) == {"judged": 1}
    assert repeat_of(sessions, again.case_id) == [first.case_id]
    assert queued(sessions) == 0
    assert judge_cases(JobContext(cfg, sessions, clock)) == {"judged": 0}
