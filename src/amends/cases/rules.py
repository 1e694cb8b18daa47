"""Case vocabularies and the playbook's state machine.

The states follow the recovery steps of the playbook in order. Skipping forward is
allowed (one message may acknowledge, own and remedy at once); going back is not,
because every step records something that was said to the customer.
"""

from __future__ import annotations

from enum import StrEnum

from amends.errors import InvalidTransition


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


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Category(StrEnum):
    MISSED_COMMITMENT = "missed_commitment"
    WRONG_ITEM = "wrong_item"
    LATE_DELIVERY = "late_delivery"
    BILLING = "billing"
    QUALITY = "quality"
    COMMUNICATION = "communication"
    OTHER = "other"


class Origin(StrEnum):
    COMPLAINT = "complaint"
    BREACH = "breach"
    MANUAL = "manual"


class Outcome(StrEnum):
    RETAINED = "retained"
    WON_BACK = "won_back"
    LOST = "lost"
    PARTED_WAYS = "parted_ways"


def is_open(state: CaseState) -> bool:
    return state is not CaseState.CLOSED


def check_transition(current: CaseState, target: CaseState, *, outcome: Outcome | None) -> None:
    """Raise InvalidTransition with the reason when ``current -> target`` is not allowed."""
    if current is CaseState.CLOSED:
        raise InvalidTransition("the case is closed; reopen it as a new case instead")
    if ORDER.index(target) <= ORDER.index(current):
        raise InvalidTransition(
            f"the case is already {current.value}; it cannot go back to {target.value}"
        )
    if target is CaseState.CLOSED and outcome is None:
        raise InvalidTransition("closing a case needs an outcome (retained, won_back, lost, ...)")
    if target is not CaseState.CLOSED and outcome is not None:
        raise InvalidTransition("an outcome is only given when closing the case")
