"""The sentences the case page's browser test types: each blames the courier, and the
coach points at the words that do."""

from __future__ import annotations

import pytest

from amends.coach.rules import check


@pytest.mark.parametrize(
    ("lang", "text", "words"),
    [
        ("th", "ขอโทษครับ แต่บริษัทขนส่งส่งของช้า", "บริษัทขนส่งส่งของช้า"),
        ("el", "Λυπούμαστε, αλλά η μεταφορική εταιρεία καθυστέρησε.", "μεταφορική"),
        ("sk", "Prepáčte, ale kuriér meškal.", "kuriér meškal"),
    ],
)
def test_blaming_the_courier_is_found_where_it_is_said(lang: str, text: str, words: str) -> None:
    found = [f for f in check(text, lang).findings if f.code.value == "blame-third-party"]
    assert len(found) == 1
    start, end = found[0].start, found[0].end
    assert start is not None and end is not None
    assert words in text[start:end]
