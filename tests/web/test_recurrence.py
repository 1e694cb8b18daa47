"""A commitment's schedule is said in words in each interface language."""

from __future__ import annotations

import pytest

from amends.web.recurrence import in_words

DAILY = "FREQ=DAILY"
TWO_WEEKDAYS = "FREQ=WEEKLY;BYDAY=TH,MO"
MONTHLY_5TH = "FREQ=MONTHLY;BYMONTHDAY=5"
LAST_BUSINESS_DAY = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"

SAID = {
    "en": (
        "daily",
        "weekly on Monday and Thursday",
        "monthly on the 5th",
        "monthly on the last business day",
    ),
    "th": ("ทุกวัน", "ทุกสัปดาห์ วันจันทร์และวันพฤหัสบดี", "ทุกเดือนวันที่ 5", "ทุกเดือนในวันทำการสุดท้าย"),
    "sk": (
        "denne",
        "každý týždeň: pondelok a\u00a0štvrtok",
        "každý mesiac 5.",
        "každý mesiac posledný pracovný deň",
    ),
    "el": (
        "καθημερινά",
        "κάθε εβδομάδα: Δευτέρα και Πέμπτη",
        "κάθε μήνα στις 5",
        "κάθε μήνα την τελευταία εργάσιμη ημέρα",
    ),
}


@pytest.mark.parametrize("language", sorted(SAID))
def test_the_common_schedules_are_said_in_each_language(language: str) -> None:
    rules = (DAILY, TWO_WEEKDAYS, MONTHLY_5TH, LAST_BUSINESS_DAY)
    assert tuple(in_words(rule, language) for rule in rules) == SAID[language]


@pytest.mark.parametrize(
    ("rule", "language", "said"),
    [
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=21", "en", "every 2 months on the 21st"),
        ("FREQ=MONTHLY;BYMONTHDAY=12", "en", "monthly on the 12th"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "sk", "každý mesiac posledný deň"),
        ("FREQ=DAILY;INTERVAL=5", "sk", "každých 5 dní"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "el", "κάθε 2 εβδομάδες: Τετάρτη"),
        ("freq=daily", "th", "ทุกวัน"),
    ],
)
def test_intervals_plurals_and_the_last_day(rule: str, language: str, said: str) -> None:
    assert in_words(rule, language) == said


@pytest.mark.parametrize(
    "rule",
    [
        None,
        "",
        "FREQ=YEARLY",
        "FREQ=MONTHLY;BYDAY=MO",  # the first Monday? every Monday? not said, shown as is
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=MONTHLY;BYMONTHDAY=5;BYMONTHDAY=6",
        "FREQ=DAILY;COUNT=3",
    ],
)
def test_a_rule_not_said_in_words_is_left_to_be_shown_as_it_is(rule: str | None) -> None:
    assert in_words(rule, "en") is None
