"""Insults and threats are found in English, Slovak, Greek and Thai, as the customer wrote
them, and ordinary complaints that merely look alike flag nothing."""

from __future__ import annotations

import pytest

from amends.messages.abuse import AbuseKind, abuse_flags, find_abuse


def found(text: str) -> list[tuple[str, str]]:
    return [(h.word, h.kind.value) for h in find_abuse(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "You are a bunch of IDIOTS. I know where you live.",
            [("IDIOTS", "insult"), ("know where you live", "threat")],
        ),
        ("Ste banda kreténov a debilov!", [("kreténov", "insult"), ("debilov", "insult")]),
        # Slovak without diacritics, as many type it, is the same word.
        ("ste kreteni, viem kde byvate", [("kreteni", "insult"), ("viem kde byvate", "threat")]),
        (
            "Είστε ηλίθιοι, θα σας σκοτώσω",
            [("ηλίθιοι", "insult"), ("θα σας σκοτώσω", "threat")],
        ),
        # Greek in capitals and without accents is the same word.
        ("ΕΙΣΤΕ ΗΛΙΘΙΟΙ", [("ΗΛΙΘΙΟΙ", "insult")]),
        ("Μαλάκα, πού είναι η παραγγελία;", [("Μαλάκα", "insult")]),
        # Thai inside unspaced text.
        ("พวกคุณโง่มากระวังตัวไว้ให้ดี", [("โง่", "insult"), ("ระวังตัวไว้", "threat")]),
        ("ร้านนี้มันเหี้ยจริงๆ", [("เหี้ย", "insult")]),
    ],
)
def test_abusive_words_are_found_in_every_language(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # en: a fire retardant, a killer deal, to kill a task, "scumbling" paint.
        "The fire retardant coating was late; we will kill the old project. Scumbling paint.",
        "I am furious: the report never arrived, this is unacceptable and I want a refund.",
        # sk: "sprostredkovanie" (brokering) begins like "sprostý"; "kurviť" is not here.
        "Sprostredkovanie zmluvy meškalo, reporty neprišli a sme veľmi sklamaní.",
        # el: "μαλακό" (soft) is not "μαλάκα"; "βλακεία" here is nonsense, a thing, not a person.
        "Το μαλακό ύφασμα δεν ήρθε ποτέ. Είναι απαράδεκτο, θέλω επιστροφή χρημάτων.",
        # th: "ชั่วโมง" (an hour) holds "ชั่ว" (wicked); "สัสดี" and "บ้าน" are ordinary words.
        "รอมาสองชั่วโมงแล้ว ของยังไม่มาส่งที่บ้าน ผิดหวังมาก ติดต่อสัสดีแล้วด้วย",
        "ฆ่าเชื้อแล้วแต่ของยังไม่มา",
    ],
)
def test_ordinary_complaints_flag_nothing(text: str) -> None:
    assert found(text) == []


def test_a_message_is_flagged_with_the_words_and_their_kinds() -> None:
    assert abuse_flags("Idiots!", "I will find you.") == [
        {"word": "Idiots", "kind": AbuseKind.INSULT.value},
        {"word": "I will find you", "kind": AbuseKind.THREAT.value},
    ]
    assert abuse_flags("Late again", "Where is my report?") is None
