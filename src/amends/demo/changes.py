"""Demo corrective actions: what the team changed once a kind of failure became systemic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoChange:
    root_cause: str
    change_kind: str  # quality_check | staffing | stock | tooling | named_contact | ...
    description: str
    owner_email: str
    due_in_days: int


# Keyed by case category: the demo records the change when that category's cases across
# customers first form a pattern, as a manager would on seeing the notification.
CHANGES: dict[str, DemoChange] = {
    "quality": DemoChange(
        "Work went to customers without anyone checking it against what they ordered; "
        "each team trusted the last person who touched it.",
        "quality_check",
        "a second person now checks every job against the customer's order and signs it "
        "off on the job sheet before it is handed over",
        "manager@amends-demo.example",
        14,
    ),
    "missed_commitment": DemoChange(
        "Recurring work was promised in the sales call but never put on anyone's calendar.",
        "tooling",
        "every recurring promise is now entered in the ledger at signing, and a missed "
        "date alerts the account owner the same day",
        "manager@amends-demo.example",
        7,
    ),
    "communication": DemoChange(
        "Customers were passed between whoever happened to answer, so nobody kept the thread.",
        "named_contact",
        "each account now has one named contact who answers every message and tells the "
        "customer first when something is going to slip",
        "manager@amends-demo.example",
        7,
    ),
}
