"""Pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from amends.cases.rules import CaseState, Outcome, check_transition
from amends.commitments.rules import CommitmentKind, schedule_problem
from amends.errors import InvalidTransition
from amends.people.rules import Action, Role, allows, can_see_case


def test_forward_skips_are_allowed() -> None:
    check_transition(CaseState.NEW, CaseState.REMEDIED, outcome=None)


@pytest.mark.parametrize(
    ("current", "target", "outcome", "reason"),
    [
        (CaseState.OWNED, CaseState.ACKNOWLEDGED, None, "cannot go back"),
        (CaseState.OWNED, CaseState.OWNED, None, "cannot go back"),
        (CaseState.CLOSED, CaseState.FOLLOWING_UP, None, "closed"),
        (CaseState.REMEDIED, CaseState.CLOSED, None, "needs an outcome"),
        (CaseState.NEW, CaseState.OWNED, Outcome.RETAINED, "only given when closing"),
    ],
)
def test_refused_transitions_say_why(
    current: CaseState, target: CaseState, outcome: Outcome | None, reason: str
) -> None:
    with pytest.raises(InvalidTransition, match=reason):
        check_transition(current, target, outcome=outcome)


def test_roles() -> None:
    assert allows(Role.AGENT, Action.WRITE)
    assert not allows(Role.VIEWER, Action.WRITE)
    assert not allows(Role.EMPLOYEE, Action.READ)
    assert can_see_case(Role.EMPLOYEE, 7, owner_id=1, participant_ids={7})
    assert not can_see_case(Role.EMPLOYEE, 7, owner_id=1, participant_ids={8})


def test_schedules() -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert (
        schedule_problem(CommitmentKind.RECURRING_SERVICE, start, "FREQ=MONTHLY;BYMONTHDAY=5")
        is None
    )
    assert "needs an RRULE" in (
        schedule_problem(CommitmentKind.RECURRING_SERVICE, start, None) or ""
    )
    assert "needs due_at" in (schedule_problem(CommitmentKind.DELIVERABLE, None, None) or "")
    assert "not valid" in (schedule_problem(CommitmentKind.DELIVERABLE, start, "FREQ=NEVER") or "")
    assert "never produces" in (
        schedule_problem(CommitmentKind.DELIVERABLE, start, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
        or ""
    )
