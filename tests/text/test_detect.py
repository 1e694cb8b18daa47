"""Language detection among the workspace's languages."""

from __future__ import annotations

import pytest

from amends.text import detect
from amends.text.detect import detect_language, detector_for, slovak_or_czech


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hello, my order still has not arrived and it has been two weeks already.", "en"),
        ("Please refund the duplicate payment to the card I used for the order.", "en"),
        ("สวัสดีค่ะ สินค้าที่สั่งไปยังไม่ได้รับเลยค่ะ รบกวนตรวจสอบให้ด้วยนะคะ", "th"),
        ("ขอบคุณครับ", "th"),
        ("Καλησπέρα σας, η παραγγελία μου δεν έφτασε ακόμα.", "el"),
        ("Ευχαριστώ", "el"),
        ("Dobrý deň, objednávka ešte neprišla, je to už druhý týždeň.", "sk"),
        ("Faktúra nie je správna, prosím opravte ju.", "sk"),
        ("Som veľmi nespokojný so službou.", "sk"),
        ("Dobrý den, objednávka ještě nepřišla, je to už druhý týden.", "cs"),
        ("Faktura není správná, prosím opravte ji.", "cs"),
        ("Jsem velmi nespokojený se službou.", "cs"),
    ],
)
def test_real_sentences(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text", ["ok thanks", "Díky!", "12345 !!!", "", "   ", "https://example.com/a/b/c"]
)
def test_too_short_or_empty_is_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_script_decides_only_for_configured_languages() -> None:
    assert detect_language("สวัสดีค่ะ สินค้ายังไม่มาถึง", ["en", "sk"]) == "und"
    assert detect_language("Καλησπέρα σας, η παραγγελία", ["el"]) == "el"


def test_mostly_thai_with_some_english_is_thai() -> None:
    text = "สั่งซื้อ iPhone 15 Pro ไปเมื่อวันที่ 2 มีนาคม ยังไม่ได้รับสินค้าเลยค่ะ"
    assert detect_language(text) == "th"


def test_slovak_or_czech_markers() -> None:
    assert slovak_or_czech("Som doma, nie je to tak.") == "sk"
    assert slovak_or_czech("Jsem doma, není to tak.") == "cs"
    assert slovak_or_czech("Dobrý deň") is None
    assert slovak_or_czech("ä ô ľ") == "sk"
    assert slovak_or_czech("ř ů ě") == "cs"


def test_short_slovak_is_not_taken_for_czech() -> None:
    assert detect_language("Ďakujem, som spokojná.") == "sk"
    assert detect_language("Děkuji, jsem spokojená.") == "cs"


def test_only_czech_configured_never_says_slovak() -> None:
    assert detect_language("Dobrý deň, objednávka ešte neprišla.", ["cs", "en"]) == "cs"


def test_region_subtags_are_accepted() -> None:
    assert detect_language("Hello, my order still has not arrived.", ["en-GB", "sk_SK"]) == "en"


def test_single_language_workspace_needs_no_model() -> None:
    assert detector_for(["en"]) is None
    assert detector_for(["en", "tlh"]) is None
    assert detect_language("Hello, my order still has not arrived.", ["en"]) == "en"
    assert detect_language("Hello, my order still has not arrived.", ["en", "tlh"]) == "en"


def test_detector_is_built_once_per_language_set() -> None:
    first = detector_for(["en", "sk"])
    assert detector_for(("sk", "en")) is first
    assert frozenset({"en", "sk"}) in detect._detectors


def test_only_the_opening_is_examined() -> None:
    text = "Hello, my order still has not arrived and it has been two weeks. " * 3
    text += "Dobrý deň, " * 400
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Decided without lingua: the evidence is plain.
        ("The courier left the boxes outside and the rain soaked all of them.", "en"),
        ("Kuriér nechal balík pred dverami a celý ho zmočil dážď.", "sk"),
        ("Kurýr nechal balík před dveřmi a celý ho zmočil déšť.", "cs"),
        # Mixed evidence goes to lingua: English naming a Slovak person, Slovak in ASCII.
        ("Our order for Ľubomír Ďurček from Žilina was not delivered at all.", "en"),
        ("Dobry den, objednavka este stale neprisla, prosim ozvite sa mi.", "sk"),
    ],
)
def test_plain_latin_evidence_and_mixed_evidence(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_plain_latin_evidence_respects_the_configured_languages() -> None:
    assert (
        detect_language("Kuriér nechal balík pred dverami a zmočil ho dážď.", ["cs", "en"]) == "cs"
    )
    assert detect_language("The courier left the boxes outside in the rain.", ["sk", "cs"]) != "en"
