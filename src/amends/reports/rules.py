"""Statistics over pre-aggregated counts (pure)."""

from __future__ import annotations

from enum import StrEnum


class TallyMetric(StrEnum):
    """What a running count behind the recovery report counts (see reports.models)."""

    CASES = "cases"
    HANDOFFS = "handoffs"  # their sum, not cases with one
    ACK_MINUTES = "ack_minutes"
    ACK_WITHIN = "ack_within"
    REMEDY_WITHIN = "remedy_within"
    CLOSE_WITHIN = "close_within"
    ONE_INTERACTION = "one_interaction"
    OUTCOME = "outcome"


def percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """Nearest-rank percentile of values given as {value: count}; None when empty.

    The database groups by whole minutes, so this is exact at minute resolution while
    reading only one row per distinct value instead of one per case.
    """
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, -(-int(fraction * total * 1_000_000) // 1_000_000))  # ceil without floats
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return float(max(histogram))


def share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None
