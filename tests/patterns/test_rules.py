"""The pure decisions behind patterns and corrective actions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from amends.errors import InvalidTransition
from amends.patterns.rules import (
    ActionStatus,
    Clustering,
    Neighbour,
    PatternPolicy,
    PatternStatus,
    Verdict,
    cluster,
    is_similar,
    name_alike,
    named_things,
    next_status,
    pattern_transition,
    shared_name,
    trend,
    verdict,
)
from amends.playbook.policy import PlaybookError, parse
from amends.playbook.policy import load as load_playbook
from tests.patterns.helpers import COURIER

POLICY = PatternPolicy()
T0 = datetime(2026, 5, 4, 9, tzinfo=UTC)


def test_a_new_case_joins_the_oldest_pattern_or_starts_one_at_five_customers() -> None:
    four = [Neighbour(i, 100 + i, None) for i in range(1, 5)]
    # The fifth case from a customer already counted is still four customers.
    assert cluster(case_id=9, customer_id=101, neighbours=four, policy=POLICY) is None
    assert cluster(case_id=9, customer_id=200, neighbours=four, policy=POLICY) == Clustering(
        None, (9, 1, 2, 3, 4)
    )
    joined = [*four, Neighbour(7, 300, 3), Neighbour(8, 301, 2)]
    assert cluster(case_id=9, customer_id=100, neighbours=joined, policy=POLICY) == Clustering(
        2, (9, 1, 2, 3, 4)
    )


def test_similar_means_a_close_text_or_the_same_category_naming_the_same_thing() -> None:
    def similar(
        a: str, b: str, score: float, *, named: bool, policy: PatternPolicy = POLICY
    ) -> bool:
        return is_similar(
            category=a, other_category=b, score=score, policy=policy, named_alike=named
        )

    assert similar("billing", "billing", 0.0, named=True)
    # A category alone is no pattern: unrelated complaints share one.
    assert not similar("quality", "quality", 0.1, named=False)
    assert not similar("other", "other", 0.1, named=True)
    assert similar("other", "quality", 0.5, named=False)
    text_only = PatternPolicy(by_category=False)
    assert not similar("billing", "billing", 0.1, named=True, policy=text_only)


def test_names_are_capitalised_inside_a_sentence_or_latin_inside_greek_and_thai() -> None:
    assert named_things("Kuriér Rýchlo Expres nechal balík pred bránou.") == {"rychlo", "expres"}
    assert named_things("พนักงานส่งของ Rychlo Expres วางกล่องไว้หน้าร้าน") == {"rychlo", "expres"}
    assert named_things("Ο κούριερ της Rychlo Expres άφησε το δέμα") == {"rychlo", "expres"}
    # Sentence starts, weekdays and months, short words and numbers name nothing.
    assert named_things("Broken again. Delivered on Monday in March by DHL, order 12345.") == set()
    assert name_alike(frozenset({"express"}), frozenset({"expres", "pekaren"}))
    assert not name_alike(frozenset({"rychlo"}), frozenset({"pomaly"}))


@pytest.mark.parametrize(
    ("current", "wanted", "repeats", "result"),
    [
        (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, 0, ActionStatus.IN_PROGRESS),
        (ActionStatus.PLANNED, ActionStatus.DONE, 0, ActionStatus.DONE),
        (ActionStatus.DONE, ActionStatus.VERIFIED, 0, ActionStatus.VERIFIED),
        (ActionStatus.VERIFIED, ActionStatus.IN_PROGRESS, 0, ActionStatus.IN_PROGRESS),
        (ActionStatus.DONE, ActionStatus.VERIFIED, 2, "2 similar case(s)"),
        (ActionStatus.IN_PROGRESS, ActionStatus.VERIFIED, 0, "only a done change"),
        (ActionStatus.DONE, ActionStatus.PLANNED, 0, "reopen it as in_progress"),
        (ActionStatus.DONE, ActionStatus.DONE, 0, "already done"),
    ],
)
def test_action_transitions(
    current: ActionStatus, wanted: ActionStatus, repeats: int, result: ActionStatus | str
) -> None:
    if isinstance(result, ActionStatus):
        assert next_status(current, wanted, repeats_after=repeats) is result
    else:
        with pytest.raises(InvalidTransition, match=re.escape(result)):
            next_status(current, wanted, repeats_after=repeats)


def test_verdict_and_trend() -> None:
    watch = timedelta(days=30)
    assert verdict(done_at=None, repeats_after=0, now=T0, watch=watch) is Verdict.NOT_DONE
    assert verdict(done_at=T0, repeats_after=0, now=T0, watch=watch) is Verdict.WATCHING
    later = T0 + timedelta(days=31)
    assert verdict(done_at=T0, repeats_after=0, now=later, watch=watch) is Verdict.REPEATS_STOPPED
    assert verdict(done_at=T0, repeats_after=1, now=later, watch=watch) is Verdict.REPEATS_CONTINUE
    assert trend(3, 4) == {"previous": 4, "change": -1, "change_pct": -25.0, "direction": "down"}
    assert trend(0, 0)["direction"] == "flat"


def test_pattern_settings_come_from_the_playbook() -> None:
    from pathlib import Path

    base = Path(load_playbook.__code__.co_filename).with_name("default.toml")
    text = base.read_text(encoding="utf-8")
    policy = parse(text).patterns
    assert (policy.min_customers, policy.window, policy.repeat_window) == (
        5,
        timedelta(days=30),
        timedelta(days=180),
    )
    changed = text.replace("min_customers = 5", "min_customers = 3").replace(
        "window_days = 30", "window_days = 14"
    )
    assert parse(changed).patterns.min_customers == 3
    assert parse(changed).patterns.window == timedelta(days=14)
    for bad, message in [
        ("min_customers = 1", "min_customers must be a whole number, 2 or more"),
        ("window_days = 0", "window_days must be a whole number of days"),
        ("text_similarity = 1.5", "text_similarity must be a number between 0 and 1"),
        ("by_category = 1", "by_category must be true or false"),
        ("cluster = 3", "unknown key(s) cluster"),
    ]:
        key = bad.split(" = ")[0]
        lines = [line for line in text.splitlines() if not line.startswith(key + " ")]
        broken = "\n".join(lines).replace("[patterns]", f"[patterns]\n{bad}")
        with pytest.raises(PlaybookError, match=re.escape(message)):
            parse(broken)


def test_a_pattern_is_addressed_by_an_action_and_resolved_only_from_there() -> None:
    open_, addressed, resolved = PatternStatus.OPEN, PatternStatus.ADDRESSED, PatternStatus.RESOLVED
    assert pattern_transition(open_, addressed) is addressed
    assert pattern_transition(addressed, resolved) is resolved
    assert pattern_transition(resolved, addressed) is addressed  # the change did not hold
    assert pattern_transition(resolved, resolved) is resolved  # another change verified
    with pytest.raises(InvalidTransition, match="that is open cannot become resolved"):
        pattern_transition(open_, resolved)
    for status in (addressed, resolved):
        with pytest.raises(InvalidTransition, match=f"that is {status} cannot become open"):
            pattern_transition(status, open_)


def test_a_pattern_is_named_by_the_words_every_member_names() -> None:
    complaints = [shop.complaint for shop in COURIER]
    # Each member's title names the courier: with accents or without, "Expres" or
    # "Express", inside a Thai sentence; the name is written as the first title has it.
    assert shared_name(complaints[4], complaints[:4]) == "Rýchlo Expres"
    assert shared_name(complaints[3], complaints[:3]) == "Rychlo Express"
    # The longest shared run wins; numbers and short words name nothing.
    assert (
        shared_name("Order 12 of the oak table arrived late", ["Oak table order 7 arrived late"])
        == "table arrived late"
    )
    assert shared_name("Cake 12 ruined", ["Parcel 12 lost", "Cake 9"]) is None
    assert shared_name("Η τούρτα χάλασε", ["Ο καφές ήταν κρύος"]) is None
