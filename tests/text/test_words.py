"""A search query's words, read the same way by the case search and the customer search."""

from __future__ import annotations

from amends.text.words import MAX_WORDS, search_words


def test_search_words_are_folded_like_the_index() -> None:
    assert search_words("  Ζαΐρ ΤΕΧΝΙΚΟΣ, zaúčtovaná!  zaúčtovaná ") == [
        "ζαιρ",
        "τεχνικοσ",
        "zauctovana",
    ]
    assert search_words("กล่องเสียหาย") == ["กล่องเสียหาย"]


def test_only_the_first_few_words_are_looked_up() -> None:
    assert search_words(" ".join(f"w{i}" for i in range(10))) == [f"w{i}" for i in range(MAX_WORDS)]


def test_thai_is_cut_as_newmm_cuts_it_with_its_own_dictionary() -> None:
    from pythainlp.tokenize import word_tokenize

    from amends.text.words import thai_words

    runs = [
        "สินค้ามาถึงช้ามากและกล่องเสียหายทั้งหมดเลยครับ",
        "พนักงานส่งของวางกล่องเมล็ดกาแฟไว้หน้าร้านตอนปิดเช้ามากล่องหายไปแล้ว",
        "ขออภัยเป็นอย่างยิ่งครับความผิดพลาดครั้งนี้เป็นของเรา",
    ]
    for run in runs:
        assert thai_words(run) == word_tokenize(run, engine="newmm", keep_whitespace=False)
    assert "กล่อง" in thai_words(runs[0]) and "เสียหาย" in thai_words(runs[0])


def test_index_words_fold_cut_and_drop_single_letters() -> None:
    from amends.text.words import index_words

    assert index_words("Zásielka Č. 12 — ΟΔΌΣ; a") == {"zasielka", "12", "οδοσ"}
    assert {"กล่อง", "เสียหาย"} <= index_words("สินค้ามาถึงช้ามากและกล่องเสียหาย")
