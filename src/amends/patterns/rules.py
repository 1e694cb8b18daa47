"""Repeat failures (pure): the same customer failed the same way again, recently.

The first failure can be forgiven and even build loyalty; the second one of the same
kind reads as a pattern, so it is treated as more severe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SEVERITIES = ("low", "medium", "high", "critical")
REPEAT_WINDOW = timedelta(days=180)


@dataclass(frozen=True)
class PastCase:
    id: int
    category: str
    opened_at: datetime
    commitment_id: int | None


def repeats(
    *,
    category: str,
    commitment_id: int | None,
    opened_at: datetime,
    history: list[PastCase],
    window: timedelta = REPEAT_WINDOW,
) -> list[int]:
    """Earlier cases this one repeats: same broken promise, or same kind of failure
    (other than the catch-all 'other') within the window."""
    found = []
    for past in history:
        if past.opened_at > opened_at or opened_at - past.opened_at > window:
            continue
        same_promise = commitment_id is not None and past.commitment_id == commitment_id
        same_kind = category != "other" and past.category == category
        if same_promise or same_kind:
            found.append(past.id)
    return sorted(found)


def raised(severity: str) -> str:
    """One level more severe, at most critical."""
    index = SEVERITIES.index(severity) if severity in SEVERITIES else 1
    return SEVERITIES[min(index + 1, len(SEVERITIES) - 1)]
