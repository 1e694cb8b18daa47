"""Statistics over pre-aggregated counts (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from amends.surveys.rules import nps_score


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


# A customer still with us: not lost, not parted with (at risk still counts as kept).
GONE = frozenset({"lost", "parted_ways"})


def satisfaction_group(
    statuses: list[str], csat: list[int], nps: list[int]
) -> dict[str, float | int | None]:
    """One side of the recovery-paradox figure: its customers, the share still with us,
    and what their survey answers say (mean CSAT 1–5, NPS −100…100)."""
    kept = sum(1 for status in statuses if status not in GONE)
    return {
        "customers": len(statuses),
        "retained": kept,
        "retention_pct": share(kept, len(statuses)),
        "answers": len(csat),
        "csat_mean": round(sum(csat) / len(csat), 2) if csat else None,
        "nps_answers": len(nps),
        "nps": nps_score(nps),
    }


def paradox(
    recovered: dict[str, float | int | None], never_failed: dict[str, float | int | None]
) -> dict[str, float | bool | None]:
    """How the recovered compare with those who never met a failure. The paradox holds
    when the recovered are more satisfied (mean CSAT) and at least as often still with us;
    None when either side has no answers or no customers to judge by."""

    def gap(key: str) -> float | None:
        a, b = recovered[key], never_failed[key]
        return None if a is None or b is None else round(float(a) - float(b), 2)

    csat_gap, retention_gap = gap("csat_mean"), gap("retention_pct")
    holds = (
        None if csat_gap is None or retention_gap is None else csat_gap > 0 and retention_gap >= 0
    )
    return {"csat_difference": csat_gap, "retention_difference_pct": retention_gap, "holds": holds}


# Upper bounds (minutes) of the time-to-acknowledge bands the dashboard draws; the
# last band (None) is everything slower.
ACK_BANDS: tuple[int | None, ...] = (15, 30, 60, 120, 240, 480, 1440, None)
# Upper bounds (days) of the age bands of open cases, in calendar days (UTC) counting
# today as the first; None is everything older.
AGE_BANDS: tuple[int | None, ...] = (1, 3, 7, 30, None)
WEEKS_SHOWN = 12


def banded(histogram: dict[int, int], bounds: tuple[int | None, ...]) -> list[dict[str, Any]]:
    """Counts given as {value: count} gathered into bands: each value falls in the first
    band whose bound it does not exceed ("up_to" None takes the rest)."""
    counts = [0] * len(bounds)
    for value, n in histogram.items():
        for index, bound in enumerate(bounds):
            if bound is None or value <= bound:
                counts[index] += n
                break
    return [{"up_to": bound, "cases": n} for bound, n in zip(bounds, counts, strict=True)]


def week_starts(end: datetime, since: datetime | None, weeks: int = WEEKS_SHOWN) -> list[datetime]:
    """The starts of the seven-day weeks that end at ``end``, oldest first: ``weeks`` of
    them, fewer when ``since`` comes later (the first week then starts at ``since``)."""
    starts = [end - timedelta(days=7 * (weeks - i)) for i in range(weeks)]
    if since is None:
        return starts
    kept = [s for s in starts if s >= since]
    if since < end and (not kept or kept[0] > since):
        kept.insert(0, since)
    return kept
