"""The apology a sweep drafts for a missed promise: clean for the coach in every language
and gender, in the owner's own words and the contact's greeting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from amends.coach.rules import check
from amends.commitments.drafts import breach_draft
from amends.text.address import GenderForm

DUE = datetime(2026, 5, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("lang", ["en", "th", "sk", "el"])
@pytest.mark.parametrize("form", [None, GenderForm.FEMININE, GenderForm.MASCULINE])
def test_a_breach_apology_owns_the_miss_in_the_owners_words(
    lang: str, form: GenderForm | None
) -> None:
    language, subject, text = breach_draft(
        language=lang,
        customer_name="Γιώργος Νικολάου" if lang == "el" else "Somchai",
        what="the monthly report",
        due=DUE,
        timezone="Europe/Bratislava",
        owner="Nok",
        owner_form=form,
        customer_form=form,
    )
    assert language == lang and subject
    assert check(text, lang, required=("ownership",)).findings == ()
    assert not any(choice in text for choice in ("/ผม", "/ครับ", "/ή", "{"))
    if lang == "th":
        pronoun = {None: "เราจะติดต่อกลับ", GenderForm.FEMININE: "ดิฉันจะติดต่อกลับ"}
        assert pronoun.get(form, "ผมจะติดต่อกลับ") in text
    if lang == "el":
        greeting = {None: "Γεια σας, Γιώργος", GenderForm.FEMININE: "Αγαπητή Γιώργος"}
        assert text.startswith(greeting.get(form, "Αγαπητέ Γιώργο Νικολάου,"))
