"""Compensation vocabularies and the empowerment rule (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
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


@dataclass(frozen=True)
class PolicySettings:
    """The workspace's compensation policy; defaults follow the service-recovery research:
    about 100-150% of the loss helps most and more stops paying off, except after a
    repeat or a severe failure."""

    generosity: Decimal = Decimal("1.0")
    base_share: Decimal = Decimal("1.25")  # of the loss
    max_share_normal: Decimal = Decimal("1.5")
    max_share_severe: Decimal = Decimal("2.0")
    max_share_repeat: Decimal = Decimal("2.5")
    repeat_factor: Decimal = Decimal("1.5")
    severe_factor: Decimal = Decimal("1.3")
    late_step: Decimal = Decimal("0.1")  # per full week late
    late_max: Decimal = Decimal("0.3")
    service_loss_share: Decimal = Decimal("0.25")  # of a month's recurring value
    cap: Decimal = Decimal("5000")  # the most the policy ever recommends


@dataclass(frozen=True)
class Recommendation:
    kind: CompensationKind
    amount: Decimal
    currency: str
    explanation: str


def recommend(
    *,
    failed_value: Decimal,
    recurring_value: Decimal,
    currency: str,
    severity: str,
    is_repeat: bool,
    lateness: timedelta,
    recurring_service: bool,
    policy: PolicySettings = PolicySettings(),
) -> Recommendation:
    """What to give, how much, and why, in plain words."""
    reasons = []
    if failed_value > 0:
        loss = failed_value
        reasons.append(f"what failed was worth {failed_value} {currency}")
    else:
        loss = (recurring_value * policy.service_loss_share).quantize(Decimal("0.01"))
        reasons.append(
            f"no price on what failed, so a quarter of the monthly value ({recurring_value} "
            f"{currency}) stands for the loss: {loss} {currency}"
        )
    share = policy.base_share
    reasons.append(f"start at {share:.0%} of the loss")
    ceiling = policy.max_share_normal
    severe = severity in {"high", "critical"}
    if severe:
        share *= policy.severe_factor
        ceiling = policy.max_share_severe
        reasons.append(f"{severity} severity: ×{policy.severe_factor}")
    if is_repeat:
        share *= policy.repeat_factor
        ceiling = policy.max_share_repeat
        reasons.append(f"the same failure happened before: ×{policy.repeat_factor}")
    weeks = lateness.days // 7
    if weeks > 0:
        extra = min(policy.late_step * weeks, policy.late_max)
        share += extra
        reasons.append(f"{weeks} week(s) late: +{extra:.0%}")
    if policy.generosity != 1:
        share *= policy.generosity
        reasons.append(f"workspace generosity ×{policy.generosity}")
    if share > ceiling * policy.generosity:
        share = ceiling * policy.generosity
        reasons.append(f"capped at {share:.0%}: beyond that more money stops winning loyalty")
    amount = (loss * share).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if amount > policy.cap:
        amount = policy.cap
        reasons.append(f"limited to the workspace maximum of {policy.cap} {currency}")
    kind = CompensationKind.CREDIT if recurring_service else CompensationKind.REFUND
    if loss == 0:
        kind = CompensationKind.GIFT
        reasons.append(
            "nothing with a price was lost: a personal gesture (a note from the "
            "owner, a small gift) says more than money"
        )
    reasons.append(f"as a {kind.value.replace('_', ' ')}")
    return Recommendation(kind, amount, currency, "; ".join(reasons) + ".")
