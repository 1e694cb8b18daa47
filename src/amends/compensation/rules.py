"""Compensation vocabularies and the empowerment rule (pure)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from amends.errors import N_, InvalidTransition, english_value, said
from amends.people.rules import Role
from amends.playbook.rules import PolicySettings as PolicySettings


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


def transition(status: CompensationStatus, to: CompensationStatus) -> CompensationStatus:
    """``to`` if a compensation in ``status`` may move there, else InvalidTransition.

    Only a request waits for a decision, and it is decided once: approved or declined.
    What was granted, approved or declined was already told to the customer.
    """
    if status is not CompensationStatus.REQUESTED:
        raise InvalidTransition.saying(
            N_("this compensation is already %(status)s"),
            code="already-decided",
            status=str(status),
            fmt={"status": "tr"},
        )
    if to not in {CompensationStatus.APPROVED, CompensationStatus.DECLINED}:
        raise InvalidTransition(f"a request is approved or declined, not {to}")
    return to


def needs_approval(role: Role, amount: Decimal, limit: Decimal | None) -> bool:
    """Agents act without waiting up to the limit in the compensation's own currency;
    managers and owners always may. With no limit known in that currency, an agent's
    compensation waits for a manager whatever its amount (nothing given waits for no one).
    """
    if role in {Role.OWNER, Role.MANAGER}:
        return False
    if limit is None:
        return amount > 0
    return amount > limit


@dataclass(frozen=True)
class Reason:
    """One step of a recommendation, stored as a sentence to say later (``errors.said``):
    each page says it in its reader's language, amounts in the reader's currency format
    and shares as percentages; the API and CLI in English (``message`` % ``values``)."""

    said: dict[str, Any]

    @property
    def message(self) -> str:
        return str(self.said["msg"])

    @property
    def values(self) -> dict[str, str]:
        """The values as the API and CLI show them ("200 EUR", "125%")."""
        args, formats = self.said["args"], self.said.get("fmt", {})
        currency = str(args.get("currency", ""))
        return {
            name: str(english_value(value, formats.get(name, ""), currency))
            for name, value in args.items()
            if name != "currency"  # said with the amounts, not a value of the sentence
        }

    def __str__(self) -> str:
        return self.message % self.values


@dataclass(frozen=True)
class Recommendation:
    kind: CompensationKind
    amount: Decimal
    currency: str
    reasons: tuple[Reason, ...]

    @property
    def explanation(self) -> str:
        return "; ".join(str(r) for r in self.reasons) + "."


_AS_KIND = {
    CompensationKind.CREDIT: N_("as a credit"),
    CompensationKind.REFUND: N_("as a refund"),
    CompensationKind.GIFT: N_("as a gift"),
}
_SEVERE = {
    "high": N_("high severity: ×%(factor)s"),
    "critical": N_("critical severity: ×%(factor)s"),
}


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
    cap: Decimal | None = None,
) -> Recommendation:
    """What to give, how much, and why, in plain words."""
    reasons: list[Reason] = []

    def say(message: str, fmt: dict[str, str] | None = None, **values: object) -> None:
        strings = {k: str(v) for k, v in values.items()}
        reasons.append(Reason(said(message, fmt=fmt or {}, currency=currency, **strings)))

    if failed_value > 0:
        loss = failed_value
        say(N_("what failed was worth %(value)s"), {"value": "money"}, value=failed_value)
    else:
        loss = (recurring_value * policy.service_loss_share).quantize(Decimal("0.01"))
        say(
            N_(
                "no price on what failed, so a quarter of the monthly value (%(monthly)s) "
                "stands for the loss: %(loss)s"
            ),
            {"monthly": "money", "loss": "money"},
            monthly=recurring_value,
            loss=loss,
        )
    share = policy.base_share
    say(N_("start at %(share)s of the loss"), {"share": "percent"}, share=share)
    ceiling = policy.max_share_normal
    if severity in _SEVERE:
        share *= policy.severe_factor
        ceiling = policy.max_share_severe
        say(_SEVERE[severity], {"factor": "number"}, factor=policy.severe_factor)
    if is_repeat:
        share *= policy.repeat_factor
        ceiling = policy.max_share_repeat
        say(
            N_("the same failure happened before: ×%(factor)s"),
            {"factor": "number"},
            factor=policy.repeat_factor,
        )
    weeks = lateness.days // 7
    if weeks > 0:
        extra = min(policy.late_step * weeks, policy.late_max)
        share += extra
        say(
            N_("%(weeks)s week(s) late: +%(extra)s"), {"extra": "percent"}, weeks=weeks, extra=extra
        )
    if policy.generosity != 1:
        share *= policy.generosity
        say(N_("workspace generosity ×%(factor)s"), {"factor": "number"}, factor=policy.generosity)
    if share > ceiling * policy.generosity:
        share = ceiling * policy.generosity
        say(
            N_("capped at %(share)s: beyond that more money stops winning loyalty"),
            {"share": "percent"},
            share=share,
        )
    amount = (loss * share).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    # The ceiling is always named, in the case's own currency, so nobody reads a cap set
    # for another currency into the figure.
    if cap is None:
        say(N_("the playbook sets no maximum in %(code)s"), code=currency)
    elif amount > cap:
        amount = cap
        say(N_("limited to the workspace maximum of %(cap)s"), {"cap": "money"}, cap=cap)
    else:
        say(N_("within the workspace maximum of %(cap)s"), {"cap": "money"}, cap=cap)
    kind = CompensationKind.CREDIT if recurring_service else CompensationKind.REFUND
    if loss == 0:
        kind = CompensationKind.GIFT
        say(
            N_(
                "nothing with a price was lost: a personal gesture (a note from the "
                "owner, a small gift) says more than money"
            )
        )
    say(_AS_KIND[kind])
    return Recommendation(kind, amount, currency, tuple(reasons))


# --- the ledger: compensation given against the revenue it kept --------------------------


@dataclass(frozen=True)
class LedgerEntry:
    """One compensation given, with what its customer has paid since (or stopped paying)."""

    given_at: datetime
    month: str  # "YYYY-MM" of given_at in the workspace timezone
    amount: Decimal
    currency: str
    customer_id: int
    recurring_value: Decimal  # the customer's monthly value
    recurring_currency: str
    ended_at: datetime | None  # when the customer was lost; None while they stay


def whole_months(start: datetime, end: datetime) -> int:
    """Full monthly periods from ``start`` to ``end`` (a period ends on the same day and
    time of a later month; the 31st ends on the last day of a shorter month)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    anchor = _add_months(start, months)
    if anchor > end:
        months -= 1
    return max(months, 0)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _money(totals: dict[str, Decimal]) -> dict[str, str]:
    return {cur: str(value.quantize(Decimal("0.01"))) for cur, value in sorted(totals.items())}


def _returns(earned: dict[str, Decimal], given: dict[str, Decimal]) -> dict[str, str]:
    # No exchange rates are assumed: a return is only stated within one currency.
    return {
        cur: str((earned.get(cur, Decimal("0")) / amount).quantize(Decimal("0.01")))
        for cur, amount in sorted(given.items())
        if amount > 0
    }


def _cohort(entries: list[LedgerEntry], as_of: datetime) -> dict[str, Any]:
    given: dict[str, Decimal] = defaultdict(Decimal)
    kept: dict[str, Decimal] = defaultdict(Decimal)
    lost: dict[str, Decimal] = defaultdict(Decimal)
    earned: dict[str, Decimal] = defaultdict(Decimal)
    first: dict[int, LedgerEntry] = {}
    for entry in sorted(entries, key=lambda e: e.given_at):
        given[entry.currency] += entry.amount
        first.setdefault(entry.customer_id, entry)
    for entry in first.values():
        end = min(entry.ended_at, as_of) if entry.ended_at else as_of
        earned[entry.recurring_currency] += entry.recurring_value * whole_months(
            entry.given_at, end
        )
        target = lost if entry.ended_at and entry.ended_at <= as_of else kept
        target[entry.recurring_currency] += entry.recurring_value
    customers_lost = sum(1 for e in first.values() if e.ended_at and e.ended_at <= as_of)
    return {
        "compensations": len(entries),
        "customers": len(first),
        "customers_kept": len(first) - customers_lost,
        "customers_lost": customers_lost,
        "given": _money(given),
        "recurring_kept": _money(kept),
        "recurring_lost": _money(lost),
        "earned_since": _money(earned),
        "recovery_return": _returns(earned, given),
    }


def ledger(entries: list[LedgerEntry], *, as_of: datetime) -> dict[str, Any]:
    """Per month of giving: what was given, how many of those customers stayed, the
    monthly revenue they still bring, and what they have paid since (and its ratio to
    what was given: the recovery return). A customer counts once per month, from their
    first compensation in it."""
    months: dict[str, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        months[entry.month].append(entry)
    return {
        "as_of": as_of.isoformat(),
        "months": [{"month": m, **_cohort(months[m], as_of)} for m in sorted(months)],
        "total": _cohort(entries, as_of),
    }
