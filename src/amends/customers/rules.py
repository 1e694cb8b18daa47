"""Customer vocabularies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from amends.errors import N_, said


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    AT_RISK = "at_risk"
    LOST = "lost"
    WON_BACK = "won_back"
    PARTED_WAYS = "parted_ways"


# Customers the system writes nothing to by itself (surveys, win-back steps, proactive
# apologies); a person may still write to them.
NO_AUTOMATED_MESSAGES = frozenset({CustomerStatus.PARTED_WAYS})


def takes_automated_messages(status: CustomerStatus) -> bool:
    return status not in NO_AUTOMATED_MESSAGES


class Tier(StrEnum):
    STANDARD = "standard"
    GOLD = "gold"
    PLATINUM = "platinum"


# Mailbox providers whose addresses belong to private people, not to one organisation:
# matching a sender "by domain" on these would file every stranger with a gmail.com
# address under whichever customer first wrote from one. Global providers, plus the
# common ones in Thailand, Slovakia, Czechia and Greece.
SHARED_MAIL_DOMAINS = frozenset(
    {
        "aol.com", "gmail.com", "googlemail.com", "gmx.com", "gmx.de", "gmx.net",
        "hotmail.co.th", "hotmail.co.uk", "hotmail.com", "hotmail.gr", "icloud.com",
        "live.com", "mac.com", "mail.com", "me.com", "msn.com", "outlook.com", "proton.me",
        "protonmail.com", "yahoo.co.th", "yahoo.co.uk", "yahoo.com", "yahoo.gr",
        "yandex.com", "zoho.com",
        "azet.sk", "atlas.sk", "centrum.sk", "post.sk", "pobox.sk", "zoznam.sk",
        "atlas.cz", "centrum.cz", "email.cz", "post.cz", "seznam.cz", "volny.cz",
        "hol.gr", "otenet.gr", "windowslive.com", "in.gr", "freemail.gr",
    }
)  # fmt: skip


def matches_by_domain(address: str) -> str | None:
    """The ``@domain`` a sender may be matched to a customer by, or None when the address
    has no domain or the domain is a shared mailbox provider."""
    if "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().lower()
    if not domain or domain in SHARED_MAIL_DOMAINS:
        return None
    return "@" + domain


# -- fit: keep, watch or part ways ---------------------------------------------------------


class Fit(StrEnum):
    """What the evidence recommends; a manager decides, the recommendation does nothing."""

    KEEP = "keep"
    WATCH = "watch"
    PART_WAYS = "part_ways"


@dataclass(frozen=True)
class FitPolicy:
    """When a piece of evidence becomes a concern. The defaults are deliberately slow to
    judge: a customer is heard many times before a concern is raised."""

    # Complaints judged not right, and their share of the complaints that could be judged.
    not_right_min: int = 3
    not_right_share: Decimal = Decimal("0.5")
    # Cost to serve above this many months of the customer's recurring value.
    cost_months: Decimal = Decimal("1")
    abusive_min: int = 1
    late_payments_min: int = 2
    # How far back the evidence reaches; and what one message from the team costs in time.
    window: timedelta = timedelta(days=365)
    minutes_per_message: int = 15


@dataclass(frozen=True)
class FitEvidence:
    """What is known about a customer over the policy's window (late payments: ever)."""

    complaints_judged: int  # complaints with a verdict other than "unknown"
    not_right: int
    compensation: Decimal  # given (granted or approved), in the customer's currency
    handling_minutes: int
    handling_cost: Decimal  # the handling time in money, 0 when no hourly cost is set
    monthly_value: Decimal
    currency: str
    abusive_messages: int
    threats: int  # of those, the ones holding a threat
    abusive_words: tuple[str, ...]
    late_payments: int | None
    tier: Tier

    @property
    def cost_to_serve(self) -> Decimal:
        return self.compensation + self.handling_cost


@dataclass(frozen=True)
class FitReason:
    """One reason for the recommendation: a sentence to say in the reader's language
    (``errors.said``) and the figures it rests on."""

    code: str
    said: dict[str, Any]
    figures: dict[str, Any]


@dataclass(frozen=True)
class FitAssessment:
    recommendation: Fit
    reasons: tuple[FitReason, ...]


_VALUABLE = frozenset({Tier.GOLD, Tier.PLATINUM})
_SHOWN_WORDS = 5


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def fit_concerns(e: FitEvidence, policy: FitPolicy = FitPolicy()) -> list[FitReason]:
    """Each piece of evidence that speaks against the customer, with its figures."""
    concerns: list[FitReason] = []
    figures: dict[str, Any]
    share = Decimal(e.not_right) / e.complaints_judged if e.complaints_judged else Decimal(0)
    if e.not_right >= policy.not_right_min and share >= policy.not_right_share:
        figures = {
            "not_right": e.not_right,
            "judged": e.complaints_judged,
            "share": str(share.quantize(Decimal("0.01"))),
        }
        concerns.append(
            FitReason(
                "not_right",
                said(
                    N_("%(not_right)s of %(judged)s complaints judged not right (%(share)s)"),
                    fmt={"share": "percent"},
                    **figures,
                ),
                figures,
            )
        )
    limit = e.monthly_value * policy.cost_months
    if e.cost_to_serve > 0 and e.cost_to_serve > limit:
        hours = (Decimal(e.handling_minutes) / 60).quantize(Decimal("0.1"))
        figures = {
            "cost": _money(e.cost_to_serve),
            "compensation": _money(e.compensation),
            "handling_hours": str(hours),
            "handling_cost": _money(e.handling_cost),
            "monthly_value": _money(e.monthly_value),
            "currency": e.currency,
        }
        concerns.append(
            FitReason(
                "cost_to_serve",
                said(
                    N_(
                        "cost to serve %(cost)s in the last year (compensation %(compensation)s, "
                        "%(handling_hours)s hours of handling) against %(monthly_value)s a month"
                    ),
                    fmt={
                        "cost": "money",
                        "compensation": "money",
                        "monthly_value": "money",
                        "handling_hours": "number",
                    },
                    **figures,
                ),
                figures,
            )
        )
    if e.abusive_messages >= policy.abusive_min:
        figures = {
            "messages": e.abusive_messages,
            "threats": e.threats,
            "words": list(e.abusive_words[:_SHOWN_WORDS]),
        }
        concerns.append(
            FitReason(
                "abusive",
                said(
                    N_("%(messages)s abusive messages, %(threats)s with threats: %(words)s"),
                    **figures,
                ),
                figures,
            )
        )
    if e.late_payments is not None and e.late_payments >= policy.late_payments_min:
        figures = {"late_payments": str(e.late_payments)}
        concerns.append(
            FitReason(
                "late_payments",
                said(N_("%(late_payments)s invoices paid late"), **figures),
                figures,
            )
        )
    return concerns


def assess_fit(e: FitEvidence, policy: FitPolicy = FitPolicy()) -> FitAssessment:
    """Keep with no concern; watch with one or two; part ways with three, or with abuse
    and one more. A valuable customer (gold, platinum) is watched rather than parted
    with, unless they abused the team: protecting the people comes before revenue."""
    concerns = fit_concerns(e, policy)
    if not concerns:
        return FitAssessment(Fit.KEEP, ())
    abusive = any(c.code == "abusive" for c in concerns)
    if len(concerns) < 3 and not (abusive and len(concerns) >= 2):
        return FitAssessment(Fit.WATCH, tuple(concerns))
    if e.tier in _VALUABLE and not abusive:
        figures = {"tier": e.tier.value, "monthly_value": _money(e.monthly_value)}
        valuable = FitReason(
            "valuable",
            said(
                N_("a %(tier)s customer worth %(monthly_value)s a month: watch before parting"),
                fmt={"tier": "tr", "monthly_value": "money"},
                currency=e.currency,
                **figures,
            ),
            {**figures, "currency": e.currency},
        )
        return FitAssessment(Fit.WATCH, (*concerns, valuable))
    return FitAssessment(Fit.PART_WAYS, tuple(concerns))
