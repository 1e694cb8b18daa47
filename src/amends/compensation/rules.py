"""Compensation vocabularies and the empowerment rule (pure)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from amends.people.rules import Role


class CompensationKind(StrEnum):
    REFUND = "refund"
    CREDIT = "credit"
    FREE_PERIOD = "free_period"
    REPLACEMENT = "replacement"
    GIFT = "gift"
    UPGRADE = "upgrade"
    NONE = "none"


class CompensationStatus(StrEnum):
    GRANTED = "granted"  # given within the granter's own authority
    REQUESTED = "requested"  # above the agent's limit, waiting for a manager
    APPROVED = "approved"
    DECLINED = "declined"


def needs_approval(role: Role, amount: Decimal, limit: Decimal) -> bool:
    """Agents act without waiting up to the limit; managers and owners always may."""
    if role in {Role.OWNER, Role.MANAGER}:
        return False
    return amount > limit
