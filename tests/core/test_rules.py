"""Pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from amends.commitments.rules import CommitmentKind, CommitmentStatus, schedule_problem, transition
from amends.compensation.rules import CompensationStatus
from amends.compensation.rules import transition as compensation_transition
from amends.errors import InvalidTransition
from amends.messages.rules import OutboxStatus, outbox_transition
from amends.people.rules import Action, Role, allows, can_see_case


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


def test_a_commitment_pauses_and_resumes_but_an_ended_one_stays_ended() -> None:
    active, paused, ended = CommitmentStatus.ACTIVE, CommitmentStatus.PAUSED, CommitmentStatus.ENDED
    assert transition(active, paused) is paused
    assert transition(paused, active) is active
    assert transition(paused, ended) is ended
    assert transition(ended, ended) is ended
    with pytest.raises(InvalidTransition, match="the commitment has ended"):
        transition(ended, active)


def test_a_compensation_request_is_decided_once() -> None:
    requested, approved = CompensationStatus.REQUESTED, CompensationStatus.APPROVED
    assert compensation_transition(requested, approved) is approved
    assert compensation_transition(requested, CompensationStatus.DECLINED) == "declined"
    with pytest.raises(InvalidTransition, match="already approved") as refused:
        compensation_transition(approved, CompensationStatus.DECLINED)
    assert refused.value.code == "already-decided"
    with pytest.raises(InvalidTransition, match="already granted"):
        compensation_transition(CompensationStatus.GRANTED, approved)
    with pytest.raises(InvalidTransition, match="approved or declined, not granted"):
        compensation_transition(requested, CompensationStatus.GRANTED)


def test_an_outbox_row_is_sent_only_once_claimed_and_never_again_after() -> None:
    pending, sending = OutboxStatus.PENDING, OutboxStatus.SENDING
    assert outbox_transition(pending, sending) is sending
    for outcome in (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.UNCERTAIN, pending):
        assert outbox_transition(sending, outcome) is outcome
    with pytest.raises(InvalidTransition, match="pending cannot become sent"):
        outbox_transition(pending, OutboxStatus.SENT)
    held = OutboxStatus.HELD
    assert outbox_transition(pending, held) is held
    assert outbox_transition(held, pending) is pending  # released
    assert outbox_transition(held, OutboxStatus.CANCELLED) is OutboxStatus.CANCELLED
    with pytest.raises(InvalidTransition, match="held cannot become sending"):
        outbox_transition(held, sending)
    finals = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED)
    # "Perhaps sent" waits for a person: resend it (pending) or record it as sent; no
    # job ever moves it on by itself (messages.review).
    uncertain = OutboxStatus.UNCERTAIN
    for decided in (pending, OutboxStatus.SENT):
        assert outbox_transition(uncertain, decided) is decided
    for final in finals:
        with pytest.raises(InvalidTransition, match=f"that is {final} cannot become"):
            outbox_transition(final, pending)
