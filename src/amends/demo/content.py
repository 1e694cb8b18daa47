"""The demo workspace's content: people, customers, promises and complaints.

Plain data, written by hand, no database here. ``amends.demo.load`` turns it into rows.
Times are given relative to the moment the demo is created (``days_ago`` /
``due_in_days``) so the demo always looks current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str  # owner | manager | agent | employee | viewer
    language: str  # BCP 47: en, th, sk, el


@dataclass(frozen=True)
class DemoContact:
    name: str
    email: str


@dataclass(frozen=True)
class DemoCustomer:
    key: str  # stable slug, unique
    name: str  # company or person, in its own script
    country: str  # ISO 3166-1 alpha-2
    language: str  # preferred language, BCP 47
    timezone: str  # IANA name
    currency: str  # ISO 4217
    recurring_value: Decimal  # per month, in ``currency``
    tier: str  # standard | gold | platinum
    status: str  # active | at_risk | lost | won_back | parted_ways
    contacts: tuple[DemoContact, ...]


@dataclass(frozen=True)
class DemoDelivery:
    days_ago: int
    note: str


@dataclass(frozen=True)
class DemoCommitment:
    key: str  # stable slug, unique
    customer_key: str
    title: str  # in the customer's language
    kind: str  # deliverable | recurring_service | service_level | callback | refund
    owner_email: str  # one of USERS
    value: Decimal
    currency: str
    # A one-off promise has ``due_in_days`` (negative = in the past); a recurring one has
    # an RFC 5545 RRULE and ``starts_days_ago`` for its DTSTART.
    due_in_days: int | None = None
    rrule: str | None = None
    starts_days_ago: int | None = None
    grace_hours: int = 24
    deliveries: tuple[DemoDelivery, ...] = ()


@dataclass(frozen=True)
class DemoMessage:
    direction: str  # inbound | outbound
    days_ago: float
    subject: str
    text: str  # in the language below
    language: str


@dataclass(frozen=True)
class DemoCase:
    customer_key: str
    owner_email: str
    title: str
    # missed_commitment | wrong_item | late_delivery | billing | quality | communication | other
    category: str
    severity: str  # low | medium | high | critical
    # new | acknowledged | owned | remedied | compensated | change_explained | following_up | closed
    state: str
    origin: str  # complaint | breach | manual
    opened_days_ago: float
    outcome: str | None = None  # for closed: retained | won_back | lost | parted_ways
    commitment_key: str | None = None
    messages: tuple[DemoMessage, ...] = field(default_factory=tuple)


# The content itself lives in sibling modules, one per kind; imported last because they
# build on the classes above.
from amends.demo.outcomes import ENDED  # noqa: E402
from amends.demo.people import CUSTOMERS, USERS  # noqa: E402
from amends.demo.promises import PROMISES  # noqa: E402
from amends.demo.routines import ROUTINES  # noqa: E402
from amends.demo.stories import STORIES  # noqa: E402

COMMITMENTS: tuple[DemoCommitment, ...] = PROMISES + ROUTINES
CASES: tuple[DemoCase, ...] = STORIES + ENDED

__all__ = ["CASES", "COMMITMENTS", "CUSTOMERS", "USERS"]
