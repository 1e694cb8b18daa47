"""Greeting the customer and speaking for the agent in each language's grammar."""

from __future__ import annotations

import pytest

from amends.errors import InvalidInput
from amends.text.address import (
    GenderForm,
    form_of_contact,
    gender_form,
    greek_form_of,
    greek_vocative,
    greeting,
    voice,
)

F, M = GenderForm.FEMININE, GenderForm.MASCULINE


@pytest.mark.parametrize(
    ("name", "vocative"),
    [
        ("Γιώργος", "Γιώργο"),
        ("Νίκος Παπαδόπουλος", "Νίκο Παπαδόπουλε"),
        ("Αλέξανδρος", "Αλέξανδρε"),
        ("Δημήτριος", "Δημήτριε"),
        ("Γιάννης Παπαδάκης", "Γιάννη Παπαδάκη"),
        ("Κώστας", "Κώστα"),
        ("Λουκάς", "Λουκά"),
        ("Ηρακλής", "Ηρακλή"),
        ("Θεολογός", "Θεολογέ"),
        # No written accent, or not Greek: left as written rather than guessed.
        ("ΓΙΩΡΓΟΣ", "ΓΙΩΡΓΟΣ"),
        ("George Papadopoulos", "George Papadopoulos"),
    ],
)
def test_a_greek_man_is_addressed_in_the_vocative(name: str, vocative: str) -> None:
    assert greek_vocative(name) == vocative


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("Γιώργος Παπαδόπουλος", M),
        ("Κώστας", M),
        ("Γιάννης", M),
        ("Μαρία Παπαδοπούλου", F),
        ("Ελένη", F),
        ("Φρόσω", F),
        ("Maria Smith", None),
        ("Ψηφιακή", F),
        ("", None),
    ],
)
def test_a_greek_given_name_shows_its_gender_by_its_ending(
    name: str, form: GenderForm | None
) -> None:
    assert greek_form_of(name) is form


def test_the_greek_greeting_follows_the_contact_then_the_name() -> None:
    def greet(name: str, recorded: GenderForm | None) -> str:
        return greeting("el", name, form_of_contact(recorded, name))

    assert greet("Γιώργος Παπαδόπουλος", None) == "Αγαπητέ Γιώργο Παπαδόπουλε,"
    assert greet("Ελένη Παπαδάκη", None) == "Αγαπητή Ελένη Παπαδάκη,"
    # What someone recorded wins over the ending.
    assert greet("Andrea Rossi", F) == "Αγαπητή Andrea Rossi,"
    assert greet("Andrea Rossi", M) == "Αγαπητέ Andrea Rossi,"
    # Neither known: a greeting that needs no gender, never "Αγαπητέ/ή".
    assert greet("Andrea Rossi", None) == "Γεια σας, Andrea Rossi,"
    # A company's name is greeted as it is: the caller asks only of a person's.
    assert greeting("el", "Ψηφιακή Α.Ε.", None) == "Γεια σας, Ψηφιακή Α.Ε.,"


def test_a_company_is_greeted_in_thai_without_the_personal_khun() -> None:
    assert greeting("th", "ร้านกาแฟบ้านสวน", None, person=False) == "เรียน ร้านกาแฟบ้านสวน"
    assert greeting("th", "สมศรี", None) == "เรียน คุณสมศรี"


def test_the_other_greetings_need_no_gender() -> None:
    for form in (None, F, M):
        assert greeting("en", "Anna", form) == "Dear Anna,"
        assert greeting("sk", "Anna", form) == "Dobrý deň, Anna,"
        assert greeting("th", "สมศรี", form) == "เรียน คุณสมศรี"


def test_the_writer_speaks_in_their_own_gender_or_in_words_that_need_none() -> None:
    assert voice("th", F) == {"i": "ดิฉัน", "me": "ดิฉัน", "q": "คะ"}
    assert voice("th", M) == {"i": "ผม", "me": "ผม", "q": "ครับ"}
    assert voice("th", None)["i"] == "เรา"
    assert voice("th", None)["q"] == ""
    assert voice("sk", F) == {"want": "chcela by som"}
    assert voice("sk", M) == {"want": "chcel by som"}
    assert voice("sk", None) == {"want": "chcem"}
    assert voice("en", F) == voice("el", M) == {}
    for lang in ("th", "sk"):
        assert all("/" not in word for form in (None, F, M) for word in voice(lang, form).values())


def test_a_form_is_read_from_its_name() -> None:
    assert gender_form("Feminine") is F
    assert gender_form(" masculine ") is M
    assert gender_form("") is None
    assert gender_form("none") is None
    with pytest.raises(InvalidInput, match="feminine, masculine or none"):
        gender_form("female")
