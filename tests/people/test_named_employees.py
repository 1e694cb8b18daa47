"""Finding the employees a complaint names (people.rules.named_in), in English, Thai,
Slovak and Greek: full names, first names, nicknames, inflected forms, Thai names inside
unspaced text; and no hit on a word that merely contains a name, on a name two
colleagues share, or on the customer's own name."""

from __future__ import annotations

import pytest

from amends.errors import InvalidInput
from amends.people.rules import Staff, clean_nicknames, named_in

ELENI, NOK, ZUZANA, TOMAS = 1, 2, 3, 4
STAFF = [
    Staff(ELENI, "Eleni Papadaki"),
    Staff(NOK, "Nok Srisuk", ("นก",)),
    Staff(ZUZANA, "Zuzana Horváthová", ("Zuzka",)),
    Staff(TOMAS, "Tomáš Baláž"),
]


def named(text: str, language: str, customer: tuple[str, ...] = ()) -> list[int]:
    return [
        m.user_id
        for m in named_in(text, staff=STAFF, language=language, customer_names=list(customer))
    ]


@pytest.mark.parametrize(
    ("language", "text", "who"),
    [
        ("el", "Η Ελένη μου μίλησε με αγένεια", [ELENI]),
        ("el", "Η συμπεριφορά της Ελένης ήταν απαράδεκτη", [ELENI]),
        ("el", "Η ΕΛΕΝΗ ΗΤΑΝ ΑΓΕΝΗΣ", [ELENI]),
        ("th", "น้องนกพูดจาไม่ดี", [NOK]),
        ("th", "พนักงานชื่อนกไม่สุภาพเลยค่ะ", [NOK]),
        ("th", "คุณ นก ไม่รับสาย", [NOK]),
        ("sk", "Zuzana nám nezavolala späť", [ZUZANA]),
        ("sk", "Od Zuzany sme nedostali odpoveď", [ZUZANA]),
        ("sk", "Povedal som to Zuzane aj jej šéfovi", [ZUZANA]),
        ("sk", "So Zuzanou sa nedá dohodnúť", [ZUZANA]),
        ("sk", "Zuzka bola nepríjemná", [ZUZANA]),
        ("sk", "Technik Tomáš Baláž na mňa kričal", [TOMAS]),
        ("sk", "S Tomášom som sa pohádal", [TOMAS]),
        ("en", "Nok was rude to me on the phone", [NOK]),
        ("en", "Nok's answer made it worse", [NOK]),
        ("en", "zuzana horvathova never called back", [ZUZANA]),  # typed without capitals
        ("en", "Eleni was rude, and then Nok hung up", [ELENI, NOK]),
    ],
)
def test_a_complaint_names_the_employees_it_mentions(
    language: str, text: str, who: list[int]
) -> None:
    assert named(text, language) == who


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "My Nokia phone shows the wrong invoice; nobody knocked on the door."),
        ("en", "The bill was wrong. I want nok... no, I want a refund."),  # lower case, not a name
        ("th", "ฉันชอบนกมาก แต่ร้านนี้บริการแย่"),  # "bird" inside unspaced Thai, no title
        ("th", "เนกไทที่สั่งมาขาด"),  # the letters of นก inside another word
        ("sk", "Zuzanka z vedľajšej predajne mi poradila lepšie"),
        ("el", "Η Ελενίτσα από το άλλο κατάστημα ήταν ευγενική"),
    ],
)
def test_a_word_that_contains_a_name_names_nobody(language: str, text: str) -> None:
    assert named(text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "customer"),
    [
        ("en", "Nobody answered my calls for a week.\nNok", ("Nok Chaiyaporn",)),
        ("sk", "Faktúra je zlá. S pozdravom, Zuzana", ("Zuzana Nová",)),
        ("el", "Κανείς δεν απάντησε. Ελένη", ("Ελένη Καραγιάννη",)),
        ("th", "ไม่มีใครรับสายเลย นก", ("นก ใจดี",)),
    ],
)
def test_a_customer_named_like_an_employee_names_nobody(
    language: str, text: str, customer: tuple[str, ...]
) -> None:
    assert named(text, language, customer) == []


def test_the_full_name_still_names_the_employee_when_the_customer_shares_the_first() -> None:
    assert named("Zuzana Horváthová na mňa kričala", "sk", ("Zuzana Nová",)) == [ZUZANA]


def test_a_first_name_two_colleagues_share_names_neither_but_a_full_name_does() -> None:
    staff = [Staff(1, "Eleni Papadaki"), Staff(2, "Ελένη Γεωργίου")]
    assert named_in("Η Ελένη ήταν αγενής", staff=staff, language="el", customer_names=[]) == []
    found = named_in("Η Ελένη Γεωργίου ήταν αγενής", staff=staff, language="el", customer_names=[])
    assert [m.user_id for m in found] == [2]


def test_the_mention_keeps_the_words_the_customer_wrote() -> None:
    (mention,) = named_in("So Zuzanou sa nedá", staff=STAFF, language="sk", customer_names=[])
    assert mention.words == "Zuzanou"


def test_nicknames_are_kept_once_each_and_bounded() -> None:
    assert clean_nicknames([" Nok ", "nok", "นก", ""]) == ["Nok", "นก"]
    with pytest.raises(InvalidInput):
        clean_nicknames([f"n{i}" for i in range(11)])
    with pytest.raises(InvalidInput):
        clean_nicknames(["x" * 61])
