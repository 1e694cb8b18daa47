from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from amends.playbook.calendar import BusinessCalendar, parse_hours

BRATISLAVA = BusinessCalendar("Europe/Bratislava")


def local(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(y, m, d, h, mi, tzinfo=ZoneInfo("Europe/Bratislava")).astimezone(UTC)


def test_an_hour_within_the_day() -> None:
    assert BRATISLAVA.add(local(2026, 5, 5, 10), timedelta(hours=1)) == local(2026, 5, 5, 11)


def test_friday_afternoon_rolls_over_the_weekend() -> None:
    assert BRATISLAVA.add(local(2026, 5, 8, 16, 30), timedelta(hours=1)) == local(
        2026, 5, 11, 9, 30
    )


def test_holidays_are_skipped() -> None:
    calendar = BusinessCalendar("Europe/Bratislava", holidays=frozenset({date(2026, 5, 11)}))
    assert calendar.add(local(2026, 5, 8, 16, 30), timedelta(hours=1)) == local(2026, 5, 12, 9, 30)


def test_a_message_at_night_starts_the_clock_at_opening() -> None:
    assert BRATISLAVA.add(local(2026, 5, 5, 23, 50), timedelta(minutes=60)) == local(2026, 5, 6, 10)


def test_daylight_saving_change_keeps_local_hours() -> None:
    # 2026-03-29 clocks go forward in Europe; Friday 16:00 + 2h -> Monday 10:00 local.
    assert BRATISLAVA.add(local(2026, 3, 27, 16), timedelta(hours=2)) == local(2026, 3, 30, 10)


def test_between_counts_only_open_hours() -> None:
    assert BRATISLAVA.between(local(2026, 5, 8, 16), local(2026, 5, 11, 10)) == timedelta(hours=2)
    assert BRATISLAVA.between(local(2026, 5, 8, 16), local(2026, 5, 8, 15)) == timedelta()


def test_split_shifts_and_bad_specs() -> None:
    assert parse_hours("13:00-17:00, 08:00-12:00") == ((time(8), time(12)), (time(13), time(17)))
    assert parse_hours("closed") == ()
    with pytest.raises(ValueError, match="not like 09:00-17:00"):
        parse_hours("nine to five")
    with pytest.raises(ValueError, match="no day has open hours"):
        BusinessCalendar("UTC", hours=((),) * 7)
