"""Charset aliases and repair of mislabelled or unlabelled legacy text."""

from __future__ import annotations

import pytest

from amends.text.charset import (
    codec_for,
    decode_bytes,
    decode_undeclared,
    legacy_candidates,
    plausibility,
)

THAI = "เรียนฝ่ายบริการลูกค้า “สินค้า” ยังไม่มาถึงเลยค่ะ… รอมาสองสัปดาห์แล้ว – ขอบคุณค่ะ"
SLOVAK = "Šťastie, že ťa vidím. Žiadosť o vrátenie peňazí; ľudia čakajú päť dní. Ďakujem."
SLOVAK_SHORT = "Dobrý deň, čakám na ďalšiu zásielku."
GREEK = "Άνοιξη. Καλησπέρα σας, η παραγγελία μου δεν έφτασε ακόμα. Ευχαριστώ πολύ!"
GREEK_APOSTROPHE = "Σ’ ευχαριστώ για το δώρο, Άννα."
ENGLISH = "The “parcel” cost €25 – and £10 extra… it’s late."


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("windows-874", "cp874"),
        ("WINDOWS-874", "cp874"),
        ('"windows-874"', "cp874"),
        ("TIS-620", "cp874"),
        ("iso-8859-11", "cp874"),
        ("windows-1250", "cp1250"),
        ("ISO-8859-2", "iso8859-2"),
        ("iso-8859-7", "iso8859-7"),
        ("iso-8859-1", "cp1252"),
        ("us-ascii", "ascii"),
        ("utf8", "utf-8"),
        ("ks_c_5601-1987", "cp949"),
        ("x-unknown-foo", None),
        ("", None),
        (None, None),
        # Real codecs that are not text encodings or would interpret backslashes.
        ("base64", None),
        ("rot13", None),
        ("unicode_escape", None),
        ("raw-unicode-escape", None),
        ("idna", None),
    ],
)
def test_codec_for(label: str | None, codec: str | None) -> None:
    assert codec_for(label) == codec


def test_windows_874_is_decoded() -> None:
    decoded = decode_bytes(THAI.encode("cp874"), "windows-874")
    assert (decoded.text, decoded.charset, decoded.repaired) == (THAI, "windows-874", False)


def test_tis620_label_with_cp874_punctuation_is_repaired() -> None:
    decoded = decode_bytes(THAI.encode("cp874"), "TIS-620")
    assert decoded.text == THAI
    assert decoded.charset == "windows-874"
    assert decoded.repaired
    assert decoded.note is not None and "TIS-620" in decoded.note


def test_genuine_tis620_is_not_a_repair() -> None:
    text = "สวัสดีครับ ขอบคุณมาก"
    decoded = decode_bytes(text.encode("tis-620"), "tis-620")
    assert (decoded.text, decoded.repaired) == (text, False)


def test_iso8859_2_label_with_windows_1250_bytes() -> None:
    data = SLOVAK.encode("cp1250")
    assert {0x8A, 0x9D, 0x9E} <= set(data)  # Š, ť, ž where iso-8859-2 has C1 controls
    decoded = decode_bytes(data, "iso-8859-2")
    assert (decoded.text, decoded.charset, decoded.repaired) == (SLOVAK, "windows-1250", True)


def test_genuine_iso8859_2_is_kept() -> None:
    decoded = decode_bytes(SLOVAK.encode("iso8859-2"), "iso-8859-2")
    assert (decoded.text, decoded.charset, decoded.repaired) == (SLOVAK, "iso-8859-2", False)


def test_iso8859_7_label_with_windows_1253_alpha_tonos() -> None:
    data = GREEK.encode("cp1253")
    assert data[0] == 0xA2  # Ά in windows-1253; a right quotation mark in iso-8859-7
    decoded = decode_bytes(data, "iso-8859-7")
    assert (decoded.text, decoded.charset, decoded.repaired) == (GREEK, "windows-1253", True)


@pytest.mark.parametrize("text", [GREEK, GREEK_APOSTROPHE])
def test_genuine_iso8859_7_is_kept(text: str) -> None:
    decoded = decode_bytes(text.encode("iso8859-7"), "iso-8859-7")
    assert (decoded.text, decoded.repaired) == (text, False)


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [
        (THAI, "cp874", "windows-874"),
        (SLOVAK, "cp1250", "windows-1250"),
        (SLOVAK_SHORT, "cp1250", "windows-1250"),
        (SLOVAK, "iso8859-2", "iso-8859-2"),
        (GREEK, "cp1253", "windows-1253"),
        (GREEK_APOSTROPHE, "iso8859-7", "iso-8859-7"),
        (ENGLISH, "cp1252", "windows-1252"),
    ],
)
@pytest.mark.parametrize("declared", [None, "us-ascii", "x-unknown-foo"])
def test_undeclared_legacy_text(text: str, codec: str, label: str, declared: str | None) -> None:
    decoded = decode_bytes(text.encode(codec), declared)
    assert decoded.text == text
    assert decoded.charset == label
    assert decoded.repaired


@pytest.mark.parametrize("text", [THAI, SLOVAK, GREEK, ENGLISH, "C:\\Users\\novak\\faktura.pdf"])
@pytest.mark.parametrize("declared", [None, "us-ascii", "x-unknown-foo", "utf-8"])
def test_utf8_is_tried_first(text: str, declared: str | None) -> None:
    decoded = decode_bytes(text.encode("utf-8"), declared)
    assert decoded.text == text
    assert decoded.charset in ("utf-8", "us-ascii")


def test_declared_utf8_that_is_not_utf8_falls_back() -> None:
    decoded = decode_bytes(SLOVAK.encode("cp1250"), "utf-8")
    assert decoded.text == SLOVAK
    assert decoded.repaired


def test_ascii_fast_path() -> None:
    decoded = decode_bytes(b"plain text", "windows-1250")
    assert (decoded.text, decoded.charset, decoded.repaired) == (
        "plain text",
        "windows-1250",
        False,
    )


def test_undecodable_bytes_never_raise() -> None:
    decoded = decode_undeclared(bytes(range(256)), ("th",))
    assert decoded.repaired
    assert len(decoded.text) > 0


def test_languages_order_the_candidates() -> None:
    assert legacy_candidates(["th", "el"]) == ("cp874", "cp1253", "iso8859-7")
    assert legacy_candidates(["sk", "cs", "en"]) == ("cp1250", "iso8859-2", "cp1252")
    assert legacy_candidates(["de"]) == ("cp1252",)
    assert legacy_candidates([]) == ("cp1252",)


def test_plausibility_prefers_the_real_text() -> None:
    wrong = SLOVAK.encode("cp1250").decode("cp1252", "replace")
    assert plausibility(SLOVAK, frozenset("šťžľčď")) > plausibility(wrong)
    assert plausibility(THAI, frozenset(THAI)) > plausibility(THAI.encode("cp874").decode("cp1250"))
