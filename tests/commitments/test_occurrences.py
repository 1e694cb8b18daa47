"""Occurrence expansion, matching and grading, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from amends.commitments.occurrences import (
    OccurrenceStatus,
    breach_severity,
    due_times,
    match,
)
from amends.commitments.validity import ClaimStatus, Promise, Verdict, assess

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
UNTIL = datetime(2027, 12, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYMONTHDAY=5",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20",
        "FREQ=WEEKLY;BYDAY=FR",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=DAILY;INTERVAL=7",
        "FREQ=MONTHLY;BYDAY=1MO",  # not a fast-path shape: dateutil handles it
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1",
    ],
)
def test_expansion_matches_dateutil(rule: str) -> None:
    # between() stops at UNTIL; filtering the unbounded rule walked it to year 9999.
    expected = rrulestr(rule, dtstart=START).between(START, UNTIL, inc=True)
    assert due_times(START, rule, until=UNTIL) == expected


def test_month_end_start_skips_short_months_like_rfc5545() -> None:
    start = datetime(2026, 1, 31, 9, tzinfo=UTC)
    expected = rrulestr("FREQ=MONTHLY", dtstart=start).between(start, UNTIL, inc=True)
    assert due_times(start, "FREQ=MONTHLY", until=UNTIL) == expected


def test_local_time_promises_keep_their_wall_clock_hour() -> None:
    start = datetime(2026, 3, 5, 9, tzinfo=ZoneInfo("Europe/Bratislava"))
    times = due_times(start, "FREQ=MONTHLY;BYMONTHDAY=5", until=start + timedelta(days=70))
    assert [t.hour for t in times] == [9, 9, 9]  # across the spring clock change


def test_one_off_and_after() -> None:
    assert due_times(START, None, until=UNTIL) == [START]
    assert due_times(START, None, until=START - timedelta(days=1)) == []
    monthly = due_times(START, "FREQ=MONTHLY;BYMONTHDAY=5", until=UNTIL, after=START)
    assert monthly[0] == datetime(2026, 2, 5, 9, tzinfo=UTC)


def test_matching_grades_each_occurrence() -> None:
    due = due_times(START, "FREQ=MONTHLY;BYMONTHDAY=5", until=datetime(2026, 5, 1, tzinfo=UTC))
    deliveries = [
        (1, datetime(2026, 1, 4, tzinfo=UTC)),  # early, counts for January
        (2, datetime(2026, 2, 9, tzinfo=UTC)),  # after February's grace: late
        (3, datetime(2026, 2, 20, tzinfo=UTC)),  # early for March
    ]
    graded = match(
        due, deliveries, grace=timedelta(hours=48), now=datetime(2026, 4, 30, tzinfo=UTC)
    )
    assert [(o.status, o.delivery_id) for o in graded] == [
        (OccurrenceStatus.ON_TIME, 1),
        (OccurrenceStatus.LATE, 2),
        (OccurrenceStatus.ON_TIME, 3),
        (OccurrenceStatus.MISSED, None),
    ]
    upcoming = match(due, [], grace=timedelta(hours=48), now=datetime(2026, 1, 6, tzinfo=UTC))
    assert [o.status for o in upcoming][:2] == [OccurrenceStatus.DUE, OccurrenceStatus.UPCOMING]


def test_breach_severity_scales_with_value_and_lateness() -> None:
    assert breach_severity(20, 1000, timedelta(hours=1)) == "low"
    assert breach_severity(200, 1000, timedelta(hours=1)) == "medium"
    assert breach_severity(1500, 1000, timedelta(hours=1)) == "high"
    assert breach_severity(200, 1000, timedelta(days=8)) == "high"
    assert breach_severity(6000, 1000, timedelta(hours=1)) == "critical"
    assert breach_severity(200, 35000, timedelta(days=31)) == "critical"


def _promise(cid: int, title: str, statuses: list[OccurrenceStatus]) -> Promise:
    from amends.commitments.occurrences import Occurrence

    occs = [
        Occurrence(
            START + timedelta(days=30 * i),
            START + timedelta(days=30 * i, hours=48),
            i if s in {OccurrenceStatus.ON_TIME, OccurrenceStatus.LATE} else None,
            START if s in {OccurrenceStatus.ON_TIME, OccurrenceStatus.LATE} else None,
            s,
        )
        for i, s in enumerate(statuses)
    ]
    return Promise(cid, title, occs)


def test_verdicts_judge_each_promise_the_complaint_is_about() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    ok, late, miss = OccurrenceStatus.ON_TIME, OccurrenceStatus.LATE, OccurrenceStatus.MISSED
    reports = _promise(1, "Mesačný marketingový report", [ok, miss])
    cleaning = _promise(2, "Upratovanie kancelárie", [ok, ok])
    # Slovak inflects: "reporty" names the report; it was missed.
    asked = assess([reports, cleaning], "Kde sú reporty?", as_of=now)
    assert asked.verdict is Verdict.RIGHT
    assert [(c.commitment_id, c.status) for c in asked.claims] == [(1, ClaimStatus.MISSED)]
    # The complaint names the cleaning, which was done: not right, despite the reports.
    named = assess([reports, cleaning], "upratovanie kancelarie sa nekonalo", as_of=now)
    assert named.verdict is Verdict.NOT_RIGHT
    assert "Upratovanie kancelárie" in named.reasons[0]
    # Both named, one kept and one missed: partly right, both in the evidence.
    both = assess([reports, cleaning], "Ani report, ani upratovanie!", as_of=now)
    assert both.verdict is Verdict.PARTLY_RIGHT
    assert {e["commitment_id"] for e in both.evidence} == {1, 2}
    # Kept, but late: the claim holds.
    kitchen = _promise(3, "Kitchen delivery", [late])
    assert assess([kitchen], "the kitchen delivery came late!", as_of=now).verdict is (
        Verdict.RIGHT
    )
    assert assess([], "anything", as_of=now).verdict is Verdict.UNKNOWN
    thai = _promise(4, "รายงานการตลาดรายเดือน", [miss])
    other = _promise(5, "Website", [ok])
    found = assess([thai, other], "ยังไม่ได้รับรายงานการตลาดรายเดือนเลยค่ะ", as_of=now)
    assert found.verdict is Verdict.RIGHT
    assert found.evidence[0]["commitment_id"] == 4


def test_a_promise_is_named_by_its_kind_in_four_languages() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    missed = [OccurrenceStatus.MISSED]
    callback = replace(_promise(7, "Invoice query #4411", missed), kind="callback")
    refund = replace(_promise(8, "Order 118", missed), kind="refund")
    for words, wanted in (
        ("You promised to call back yesterday and nobody did.", 7),
        ("Sľúbili ste, že mi zavoláte späť.", 7),
        ("Δεν έγινε ποτέ η επανάκληση που μου υποσχεθήκατε.", 7),
        ("รอโทรกลับมาสองวันแล้วค่ะ", 7),
        ("Where is my refund?", 8),
        ("Kde je vrátenie peňazí?", 8),
        ("Πότε θα γίνει η επιστροφή χρημάτων;", 8),
        ("ยังไม่ได้คืนเงินเลยค่ะ", 8),
    ):
        found = assess([callback, refund], words, as_of=now)
        assert [c.commitment_id for c in found.claims] == [wanted], words
        assert found.verdict is Verdict.RIGHT


def test_a_complaint_about_behaviour_names_no_promise_and_is_unknown() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    brochure = _promise(6, "Brochure print run", [OccurrenceStatus.LATE])
    rude = "Your driver was rude to my staff and shouted at the cashier."
    assert assess([brochure], rude, as_of=now).verdict is Verdict.UNKNOWN
    # Naming nothing but saying nothing came: every promise due lately is judged.
    vague = assess([brochure], "Nothing was delivered this month.", as_of=now)
    assert vague.verdict is Verdict.RIGHT and not vague.claims[0].named
    # A proactive case names its own promise when the customer said nothing.
    assert assess([brochure], "", as_of=now, own=6).verdict is Verdict.RIGHT
    assert assess([brochure], "", as_of=now).verdict is Verdict.UNKNOWN
