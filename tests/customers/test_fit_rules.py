"""The fit rule by hand: no concern keeps a customer, one or two put them on watch, three
(or abuse and one more) recommend parting ways; a valuable customer is watched first,
unless they abused the team."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from amends.customers.rules import Fit, FitEvidence, Tier, assess_fit
from amends.web.i18n import english

CALM = FitEvidence(
    complaints_judged=4,
    not_right=1,
    compensation=Decimal("50"),
    handling_minutes=120,
    handling_cost=Decimal("0"),
    monthly_value=Decimal("200"),
    currency="EUR",
    abusive_messages=0,
    threats=0,
    abusive_words=(),
    late_payments=None,
    tier=Tier.STANDARD,
)


def codes(evidence: FitEvidence) -> tuple[Fit, list[str]]:
    found = assess_fit(evidence)
    return found.recommendation, [r.code for r in found.reasons]


def test_a_customer_without_concerns_is_kept() -> None:
    assert codes(CALM) == (Fit.KEEP, [])


def test_late_payments_alone_put_a_customer_on_watch_and_unknown_ones_count_for_nothing() -> None:
    assert codes(replace(CALM, late_payments=3)) == (Fit.WATCH, ["late_payments"])
    assert codes(replace(CALM, late_payments=1)) == (Fit.KEEP, [])


def test_handling_time_counts_in_the_cost_to_serve() -> None:
    costly = replace(CALM, handling_cost=Decimal("160"))  # 50 + 160 > 200 a month
    assert codes(costly) == (Fit.WATCH, ["cost_to_serve"])
    (reason,) = assess_fit(costly).reasons
    assert english(reason.said) == (
        "cost to serve 210.00 EUR in the last year (compensation 50.00 EUR, 2.0 hours of "
        "handling) against 200.00 EUR a month"
    )


def test_abuse_and_one_more_concern_recommend_parting_ways() -> None:
    abusive = replace(CALM, abusive_messages=1, threats=1, abusive_words=("idiots",))
    assert codes(abusive) == (Fit.WATCH, ["abusive"])
    assert codes(replace(abusive, late_payments=4)) == (
        Fit.PART_WAYS,
        ["abusive", "late_payments"],
    )


def test_a_valuable_customer_is_watched_before_parting_unless_they_abused_the_team() -> None:
    hard = replace(CALM, not_right=4, compensation=Decimal("900"), late_payments=5)
    assert codes(hard)[0] is Fit.PART_WAYS
    platinum = replace(hard, tier=Tier.PLATINUM, monthly_value=Decimal("800"))
    assert codes(platinum) == (
        Fit.WATCH,
        ["not_right", "cost_to_serve", "late_payments", "valuable"],
    )
    rude = replace(platinum, abusive_messages=2, abusive_words=("debil",))
    assert codes(rude)[0] is Fit.PART_WAYS


def test_few_complaints_not_right_are_no_concern_however_large_the_share() -> None:
    assert codes(replace(CALM, complaints_judged=2, not_right=2)) == (Fit.KEEP, [])
    assert codes(replace(CALM, complaints_judged=6, not_right=3)) == (Fit.WATCH, ["not_right"])
