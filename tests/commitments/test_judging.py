"""The sweep's fast judging agrees with the reference grading, occurrence for occurrence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from amends.commitments.occurrences import (
    OccurrenceStatus,
    TextSchedule,
    due_times,
    fill,
    match,
    split_at,
    utc_text,
)

RULES = [
    None,
    "FREQ=MONTHLY;BYMONTHDAY=5",
    "FREQ=MONTHLY;BYMONTHDAY=28",
    "FREQ=MONTHLY",
    "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20",
    "FREQ=MONTHLY;INTERVAL=12",
    "FREQ=MONTHLY;BYDAY=1MO",  # the first Monday: not plain arithmetic, dateutil's job
    "FREQ=MONTHLY;BYMONTHDAY=31",  # skips short months
    "FREQ=WEEKLY;BYDAY=FR",
    "FREQ=DAILY;INTERVAL=9",
]


@pytest.mark.parametrize("seed", range(4))
def test_fulfilled_prefix_and_misses_agree_with_match(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(2500):
        first = datetime(2025, rng.randint(1, 12), rng.randint(1, 28), 9, tzinfo=UTC)
        rule = rng.choice(RULES)
        grace = timedelta(hours=rng.choice((0, 24, 72)))
        now = first + timedelta(days=rng.randint(-5, 400), hours=rng.randint(0, 23))
        deliveries = sorted(
            (i, first + timedelta(days=rng.uniform(-40, 420))) for i in range(rng.randint(0, 14))
        )
        graded = match(due_times(first, rule, until=now), deliveries, grace=grace, now=now)
        expected = [o.due_at for o in graded if o.status is OccurrenceStatus.MISSED]

        past, _ = split_at(first, rule, before=now - grace, horizon=now + timedelta(days=400))
        done = len(fill(past, sorted(at for _, at in deliveries)))
        assert past[done:] == expected
        # The same judgement on canonical text, as the sweep makes it.
        texts = sorted(utc_text(at) for _, at in deliveries)
        assert len(fill([utc_text(p) for p in past], texts)) == done


@pytest.mark.parametrize("seed", range(4))
def test_text_schedule_agrees_with_expansion(seed: int) -> None:
    rng = random.Random(100 + seed)
    for _ in range(2500):
        first = datetime(
            2024,
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.choice((0, 30)),
            microsecond=rng.choice((0, 0, 250_000)),
        )
        rule = rng.choice([*RULES, f"FREQ=MONTHLY;INTERVAL={rng.randint(1, 5)}"])
        grace_hours = rng.choice((0, 5, 24, 48))
        now = first + timedelta(days=rng.randint(-40, 900), hours=rng.randint(0, 23))
        if rng.random() < 0.3:  # right at a due time plus grace: the boundary
            now = first + timedelta(days=31 * rng.randint(0, 20), hours=grace_hours)
        lookahead = timedelta(days=rng.choice((1, 20, 400)))
        past, following = split_at(
            first, rule, before=now - timedelta(hours=grace_hours), horizon=now + lookahead
        )
        schedule = TextSchedule(now.replace(tzinfo=UTC), lookahead)
        texts, after = schedule.split(utc_text(first), rule, grace_hours)
        assert texts == [utc_text(p) for p in past], (first, rule, now)
        assert after == (utc_text(following) if following else None), (first, rule, now)
        if texts:
            deadline = past[-1] + timedelta(hours=grace_hours)
            assert schedule.deadline(texts[-1], grace_hours) == utc_text(deadline)


def test_a_delivery_before_its_window_fulfils_nothing() -> None:
    due = [datetime(2026, m, 5, 9) for m in (1, 2, 3)]
    # Two reports in the first week of January: the second is too early for February.
    early = [datetime(2026, 1, 2), datetime(2026, 1, 3)]
    assert fill(due, early) == [0]
    # A late January report in February still fulfils January, then March's for February.
    assert fill(due, [datetime(2026, 2, 20), datetime(2026, 3, 4)]) == [0, 1]


def test_utc_text_orders_like_time() -> None:
    bangkok = datetime(2026, 3, 1, 15, 0, tzinfo=ZoneInfo("Asia/Bangkok"))
    assert utc_text(bangkok) == "2026-03-01 08:00:00.000000"
    moments = [datetime(2026, 1, 1) + timedelta(minutes=37 * i) for i in range(500)]
    random.Random(5).shuffle(moments)
    assert sorted(map(utc_text, moments)) == [utc_text(m) for m in sorted(moments)]
