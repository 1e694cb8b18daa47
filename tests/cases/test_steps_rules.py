"""The playbook state machine, without a database."""

from __future__ import annotations

import pytest

from amends.cases.rules import (
    CaseState,
    Outcome,
    Step,
    check_handoff_reason,
    plan_steps,
    state_after,
    transition,
)
from amends.errors import InvalidInput, InvalidTransition

FULL = (
    Step.ACKNOWLEDGE,
    Step.OWN,
    Step.REMEDY,
    Step.COMPENSATE,
    Step.EXPLAIN_CHANGE,
    Step.FOLLOW_UP,
)
LIGHT = (Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY)


def test_one_message_can_complete_several_steps_and_implies_acknowledgment() -> None:
    plan = plan_steps(set(), [Step.REMEDY, Step.OWN, Step.COMPENSATE], required=FULL)
    assert plan == [Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY, Step.COMPENSATE]
    assert state_after(plan) is CaseState.COMPENSATED


def test_required_steps_cannot_be_skipped() -> None:
    with pytest.raises(InvalidTransition, match="requires own before 'remedy'"):
        plan_steps({Step.ACKNOWLEDGE}, [Step.REMEDY], required=FULL)


def test_optional_steps_can_be_skipped() -> None:
    done = {Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY}
    assert plan_steps(done, [Step.CLOSE], required=LIGHT, outcome=Outcome.RETAINED) == [Step.CLOSE]


@pytest.mark.parametrize(
    ("done", "requested", "outcome", "reason"),
    [
        ({Step.ACKNOWLEDGE}, [Step.ACKNOWLEDGE], None, "already done: acknowledge"),
        ({Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY, Step.CLOSE}, [Step.FOLLOW_UP], None, "closed"),
        (set(FULL), [Step.CLOSE], None, "needs an outcome"),
        (set(), [Step.OWN], Outcome.RETAINED, "only given when closing"),
        (set(), [], None, "at least one step"),
        (
            {Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY},
            [Step.CLOSE],
            Outcome.LOST,
            "requires compensate, explain-change, follow-up",
        ),
    ],
)
def test_refusals_say_why(
    done: set[Step], requested: list[Step], outcome: Outcome | None, reason: str
) -> None:
    with pytest.raises(InvalidTransition, match=reason):
        plan_steps(done, requested, required=FULL, outcome=outcome)


def test_going_back_is_refused() -> None:
    done = {Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY, Step.COMPENSATE}
    with pytest.raises(InvalidTransition, match="already compensated; 'own' comes before"):
        plan_steps(done - {Step.OWN}, [Step.OWN], required=LIGHT)


def test_handoff_needs_a_reason() -> None:
    assert check_handoff_reason("  Marek speaks Slovak ") == "Marek speaks Slovak"
    with pytest.raises(InvalidInput, match="needs a reason"):
        check_handoff_reason("  ")


def test_a_case_state_only_moves_forward() -> None:
    assert transition(CaseState.NEW, CaseState.ACKNOWLEDGED) is CaseState.ACKNOWLEDGED
    assert transition(CaseState.OWNED, CaseState.FOLLOWING_UP) is CaseState.FOLLOWING_UP
    with pytest.raises(InvalidTransition, match="already remedied; it cannot become owned"):
        transition(CaseState.REMEDIED, CaseState.OWNED)
    with pytest.raises(InvalidTransition, match="already owned; it cannot become owned"):
        transition(CaseState.OWNED, CaseState.OWNED)
    with pytest.raises(InvalidTransition, match="the case is closed"):
        transition(CaseState.CLOSED, CaseState.FOLLOWING_UP)
