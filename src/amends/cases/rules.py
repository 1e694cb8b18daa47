"""Case vocabularies and the playbook's state machine (pure).

A case moves through the recovery steps of the playbook in order. One action may
complete several steps at once (one message that acknowledges, owns the failure and
fixes it). Steps the playbook requires for the case cannot be skipped; optional ones
can. The case's state is the furthest step completed. Nothing goes back: each step
records something already said to the customer.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from amends.errors import N_, InvalidInput, InvalidTransition
from amends.playbook.rules import MESSAGE_STEPS as MESSAGE_STEPS
from amends.playbook.rules import SPOKEN_STEPS as SPOKEN_STEPS
from amends.playbook.rules import STEPS as STEPS
from amends.playbook.rules import Category as Category
from amends.playbook.rules import Severity as Severity
from amends.playbook.rules import Step as Step
from amends.text.digits import is_digits


def case_ref(case_id: int) -> str:
    """The reference customers see and quote in subjects, e.g. ``C-123``."""
    return f"C-{case_id}"


def case_id_of(ref: str | int) -> int:
    """The id a ref names ("C-123", "c-123" or "123"), or InvalidInput."""
    text = str(ref).strip()
    number = text[2:] if text[:2].upper() == "C-" else text
    if not is_digits(number) or len(number) > 9 or int(number) < 1:
        raise InvalidInput.saying(
            N_("%(ref)s is not a case reference (like C-12)"), code="case-ref-invalid", ref=text
        )
    return int(number)


class CaseState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    OWNED = "owned"
    REMEDIED = "remedied"
    COMPENSATED = "compensated"
    CHANGE_EXPLAINED = "change_explained"
    FOLLOWING_UP = "following_up"
    CLOSED = "closed"


ORDER: tuple[CaseState, ...] = tuple(CaseState)


STEP_STATE: dict[Step, CaseState] = {
    Step.ACKNOWLEDGE: CaseState.ACKNOWLEDGED,
    Step.OWN: CaseState.OWNED,
    Step.REMEDY: CaseState.REMEDIED,
    Step.COMPENSATE: CaseState.COMPENSATED,
    Step.EXPLAIN_CHANGE: CaseState.CHANGE_EXPLAINED,
    Step.FOLLOW_UP: CaseState.FOLLOWING_UP,
    Step.CLOSE: CaseState.CLOSED,
}


class Origin(StrEnum):
    COMPLAINT = "complaint"
    BREACH = "breach"
    MANUAL = "manual"


class Outcome(StrEnum):
    RETAINED = "retained"
    WON_BACK = "won_back"
    LOST = "lost"
    PARTED_WAYS = "parted_ways"


class WaitingOn(StrEnum):
    US = "us"
    CUSTOMER = "customer"
    NOBODY = "nobody"


class EventKind(StrEnum):
    """What a case timeline entry records; the case page shows each one's label."""

    OPENED = "opened"
    UPDATED = "updated"
    PARTICIPANT_ADDED = "participant_added"
    STEP = "step"
    HANDOFF = "handoff"
    ESCALATED = "escalated"
    BREACH = "breach"
    DRAFT_PREPARED = "draft_prepared"
    REPEAT_DETECTED = "repeat_detected"
    COACH_OVERRIDE = "coach_override"
    VALIDITY_OVERRIDDEN = "validity_overridden"
    VALIDITY_JUDGED = "validity_judged"
    COMPENSATION_REQUESTED = "compensation_requested"
    COMPENSATION_GRANTED = "compensation_granted"
    COMPENSATION_APPROVED = "compensation_approved"
    COMPENSATION_DECLINED = "compensation_declined"
    REPLY_HELD = "reply_held"
    REPLY_RELEASED = "reply_released"
    REPLY_RETURNED = "reply_returned"
    # A person settled a reply that was perhaps sent: sent again, or recorded as sent.
    REPLY_RESENT = "reply_resent"
    REPLY_MARKED_SENT = "reply_marked_sent"
    CUSTOMER_STATUS = "customer_status"
    MESSAGE_INBOUND = "message_inbound"
    MESSAGE_OUTBOUND = "message_outbound"
    MESSAGE_INTERNAL = "message_internal"
    PATTERN_JOINED = "pattern_joined"
    CORRECTIVE_ACTION_LINKED = "corrective_action_linked"
    CORRECTIVE_ACTION_STATUS = "corrective_action_status"
    # Merging and splitting: the target received a case, the source became its stub, a
    # merge was undone; a case gave messages to a new one, which records where from.
    MERGED_IN = "merged_in"
    MERGED_INTO = "merged_into"
    MERGE_UNDONE = "merge_undone"
    SPLIT = "split"
    SPLIT_FROM = "split_from"
    # A named employee's side of the complaint, or a manager's waiver of it with the reason.
    STATEMENT_RECORDED = "statement_recorded"
    STATEMENT_WAIVED = "statement_waived"
    # Persisting after a loss: a win-back follow-up sent, the sequence stopped, its outcome.
    WINBACK = "winback"
    WATCH_MISSED = "watch_missed"
    # No longer written, but timelines stored by earlier versions still hold it.
    STATE_CHANGED = "state_changed"


class NotificationKind(StrEnum):
    """Why a person is told about a case."""

    HANDOFF = "handoff"
    SLA_BREACHED = "sla_breached"
    APPROVAL_NEEDED = "approval_needed"
    COMPENSATION_APPROVED = "compensation_approved"
    COMPENSATION_DECLINED = "compensation_declined"
    REPEAT_FAILURE = "repeat_failure"
    PATTERN_DETECTED = "pattern_detected"
    NAMED_IN_COMPLAINT = "named_in_complaint"
    WINBACK_SENT = "winback_sent"
    WINBACK_REPLIED = "winback_replied"
    WATCH_DUE = "watch_due"


# Why someone takes part in a case: a complaint named them (they owe a statement).
NAMED = "named"


def check_statement(text: str) -> str:
    """A statement is the employee's own account: it must say something."""
    text = text.strip()
    if len(text) < 3:
        raise InvalidInput(
            N_("write your statement: what happened, as you saw it"), code="statement-empty"
        )
    return text


def check_waiver_reason(reason: str) -> str:
    """Closing without the named employee's side needs a reason anyone can read later."""
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput(
            N_("waiving a statement needs the reason why it is not needed"),
            code="waiver-reason-missing",
        )
    return reason


def is_open(state: CaseState) -> bool:
    return state is not CaseState.CLOSED


def state_after(done: Iterable[Step]) -> CaseState:
    """The state a case is in once ``done`` steps are complete: the furthest one."""
    furthest = CaseState.NEW
    for step in done:
        state = STEP_STATE[step]
        if ORDER.index(state) > ORDER.index(furthest):
            furthest = state
    return furthest


CLOSED_CASE = N_("the case is closed; open a new case for a new problem")


def transition(state: CaseState, to: CaseState) -> CaseState:
    """``to`` if a case in ``state`` may move there, else InvalidTransition.

    States only move forward along the playbook: each one records something already
    said to the customer, which cannot be unsaid.
    """
    if state is CaseState.CLOSED:
        raise InvalidTransition(CLOSED_CASE)
    if ORDER.index(to) <= ORDER.index(state):
        raise InvalidTransition.saying(
            N_("the case is already %(state)s; it cannot become %(to)s"),
            state=state.value,
            to=to.value,
            fmt={"state": "tr", "to": "tr"},
        )
    return to


def plan_steps(
    done: Iterable[Step],
    requested: Iterable[Step],
    *,
    required: Iterable[Step],
    outcome: Outcome | None = None,
) -> list[Step]:
    """The steps to record for ``requested``, in playbook order, or InvalidTransition.

    ``acknowledge`` is implied by any later step: owning or fixing a failure is also
    acknowledging it. Every required step before the furthest requested one must be
    done already or be part of this action.
    """
    done_set = set(done)
    wanted = sorted(set(requested), key=STEPS.index)
    if not wanted:
        raise InvalidTransition(N_("choose at least one step"))
    if Step.CLOSE in done_set:
        raise InvalidTransition(CLOSED_CASE)
    repeated = [s.value for s in wanted if s in done_set]
    if repeated:
        raise InvalidTransition.saying(
            N_("already done: %(steps)s"), steps=repeated, fmt={"steps": "trs"}
        )
    if Step.ACKNOWLEDGE not in done_set and Step.ACKNOWLEDGE not in wanted:
        wanted.insert(0, Step.ACKNOWLEDGE)
    current = state_after(done_set)
    first = STEP_STATE[wanted[0]]
    if wanted[0] is not Step.ACKNOWLEDGE and ORDER.index(first) < ORDER.index(current):
        raise InvalidTransition.saying(
            N_("the case is already %(state)s; '%(step)s' comes before that"),
            state=current.value,
            step=wanted[0].value,
            fmt={"state": "tr", "step": "tr"},
        )
    furthest = wanted[-1]
    covered = done_set | set(wanted)
    missing = [
        s.value for s in required if STEPS.index(s) < STEPS.index(furthest) and s not in covered
    ]
    if furthest is Step.CLOSE:
        missing = [s.value for s in required if s not in covered]
    if missing:
        raise InvalidTransition.saying(
            N_("the playbook for this case requires %(missing)s before '%(step)s'"),
            missing=missing,
            step=furthest.value,
            fmt={"missing": "trs", "step": "tr"},
        )
    if Step.CLOSE in wanted and outcome is None:
        raise InvalidTransition(
            N_("closing a case needs an outcome (retained, won_back, lost, ...)")
        )
    if Step.CLOSE not in wanted and outcome is not None:
        raise InvalidTransition(N_("an outcome is only given when closing the case"))
    return wanted


def check_handoff_reason(reason: str) -> str:
    """A hand-off must say why: each one costs the customer a repeated explanation."""
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput(
            N_("a hand-off needs a reason (why the new owner is better placed)"),
            code="handoff-reason-missing",
        )
    return reason
