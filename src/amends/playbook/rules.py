"""The playbook's vocabulary and policies (pure): the recovery steps, severities and
categories every domain speaks of, and the pattern and compensation policies the
workspace sets in its ``playbook.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

REPEAT_WINDOW = timedelta(days=180)


class Step(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    OWN = "own"
    REMEDY = "remedy"
    COMPENSATE = "compensate"
    EXPLAIN_CHANGE = "explain-change"
    FOLLOW_UP = "follow-up"
    CLOSE = "close"


STEPS: tuple[Step, ...] = tuple(Step)
# Steps that say something to the customer, so an outbound message can carry them.
MESSAGE_STEPS = frozenset(STEPS) - {Step.CLOSE}
# Steps that are nothing but words to the customer: done only by a message or a call.
SPOKEN_STEPS = frozenset({Step.ACKNOWLEDGE, Step.EXPLAIN_CHANGE, Step.FOLLOW_UP})


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
    STAFF_BEHAVIOUR = "staff_behaviour"
    COMMUNICATION = "communication"
    OTHER = "other"


@dataclass(frozen=True)
class PatternPolicy:
    """When similar failures across customers stop being bad luck and become a pattern.

    Read from the playbook's ``[patterns]`` table; the defaults suit a small service
    business: five customers hit by the same kind of failure within a month is systemic.
    """

    min_customers: int = 5
    window: timedelta = timedelta(days=30)
    # Cosine of character-trigram profiles at or above which two texts count as the same
    # failure. Calibrated on short complaints: paraphrases of one problem in one language
    # score 0.35-0.7, unrelated complaints stay below 0.2.
    text_similarity: float = 0.35
    # Whether sharing a (specific) category is enough; "other" never is.
    by_category: bool = True
    repeat_window: timedelta = REPEAT_WINDOW


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


WORKSPACE_CURRENCY = "workspace"  # the key standing for the workspace's own currency


@dataclass(frozen=True)
class CompensationPolicy:
    """How much may be given in each currency: what an agent grants without asking and
    the most the recommendation proposes. Amounts are kept per ISO 4217 code; another
    currency is converted only through the owner's own table of ``rates`` (what one unit
    is worth in the workspace currency), never guessed."""

    settings: PolicySettings = PolicySettings()
    agent_limit: tuple[tuple[str, Decimal], ...] = ((WORKSPACE_CURRENCY, Decimal("100")),)
    cap: tuple[tuple[str, Decimal], ...] = ((WORKSPACE_CURRENCY, Decimal("5000")),)
    rates: tuple[tuple[str, Decimal], ...] = ()

    def limit_for(self, currency: str, workspace_currency: str) -> Decimal | None:
        """An agent's limit in ``currency``; None when the playbook gives no way to know it
        (then every amount in that currency waits for a manager)."""
        return _in_currency(self.agent_limit, self.rates, currency, workspace_currency)

    def cap_for(self, currency: str, workspace_currency: str) -> Decimal | None:
        """The recommendation's ceiling in ``currency``; None when none is set for it."""
        return _in_currency(self.cap, self.rates, currency, workspace_currency)


def _in_currency(
    amounts: tuple[tuple[str, Decimal], ...],
    rates: tuple[tuple[str, Decimal], ...],
    currency: str,
    workspace_currency: str,
) -> Decimal | None:
    table = dict(amounts)
    if currency in table:
        return table[currency]
    base = table.get(WORKSPACE_CURRENCY, table.get(workspace_currency))
    if base is None:
        return None
    if currency == workspace_currency:
        return base
    rate = dict(rates).get(currency)
    if rate is None:
        return None
    return (base / rate).quantize(Decimal("0.01"))
