"""Survey links and answers, without a database."""

from __future__ import annotations

import pytest

from amends.errors import InvalidInput
from amends.surveys import rules


def test_a_signed_link_reads_back_and_any_change_breaks_it() -> None:
    token = rules.sign_link("k1", survey_id=42, language="th", nonce="abcdefghijklmnop")
    assert rules.read_link("k1", token) == rules.Link(42, "th", "abcdefghijklmnop")
    assert rules.read_link("another key", token) is None
    number, language, nonce, signature = token.split(".")
    for changed in (
        f"43.{language}.{nonce}.{signature}",
        f"{number}.sk.{nonce}.{signature}",
        f"{number}.{language}.{nonce}x.{signature}",
        f"{number}.{language}.{nonce}.{signature[:-1]}",
        f"{number}.{language}.{nonce}.{signature}x",
        token + "\u00e9",
        "",
    ):
        assert rules.read_link("k1", changed) is None, changed
    # The language of a refused link still picks the words of the page that refuses it.
    assert rules.language_of_token(f"{number}.{language}.x.y", "en") == "th"
    assert rules.language_of_token("garbage", "sk") == "sk"


def test_answers_are_checked() -> None:
    assert rules.answer("5", "", " fine ") == rules.Answer(5, None, "fine")
    assert rules.answer(1, 0, None) == rules.Answer(1, 0, "")
    for csat, nps in (("0", ""), ("6", ""), ("", ""), ("x", ""), ("3", "11"), ("3", "-1")):
        with pytest.raises(InvalidInput):
            rules.answer(csat, nps, "")
    with pytest.raises(InvalidInput):
        rules.answer("3", "", "x" * (rules.MAX_COMMENT + 1))


@pytest.mark.parametrize(
    ("csat", "nps", "recovered", "proposed"),
    [
        (4, 10, True, True),
        (1, 9, True, True),
        (5, 8, True, False),
        (5, None, True, True),
        (4, None, True, False),
        (5, 10, False, False),
    ],
)
def test_who_is_proposed_as_an_advocate(
    csat: int, nps: int | None, recovered: bool, proposed: bool
) -> None:
    assert rules.proposes_advocate(csat=csat, nps=nps, recovered=recovered) is proposed


def test_net_promoter_score() -> None:
    assert rules.nps_score([]) is None
    assert rules.nps_score([10, 9, 8, 0]) == 25
    assert rules.nps_score([6, 7]) == -50
