"""The one similarity score on its own (pure): languages, scripts, and nothing but the
two texts deciding it."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from amends.patterns.rules import PatternPolicy
from amends.patterns.textsim import cosine, profile, vector, vector_of

TH_PURIFIER = "สั่งเครื่องฟอกอากาศไปตั้งแต่วันที่ 3 แต่จนถึงตอนนี้ยังไม่ได้รับของเลย ช่วยตรวจสอบให้ด้วยค่ะ"
TH_PURIFIER_AGAIN = "ยังไม่ได้รับเครื่องฟอกอากาศที่สั่งไว้ตั้งแต่วันที่ 3 เลยค่ะ รบกวนตรวจสอบให้หน่อย"
TH_RUDE = "พนักงานที่สาขาสีลมพูดจาไม่สุภาพกับแม่ของฉันมาก"
TH_BILLING = "บัตรเครดิตของฉันถูกตัดเงินสองครั้งสำหรับค่าสมาชิกเดือนนี้"
EL_FRIDGE = "Η παραγγελία μου με το ψυγείο έφτασε χτυπημένη και η πόρτα δεν κλείνει σωστά."
EL_FRIDGE_CAPS = "Η ΠΑΡΑΓΓΕΛΙΑ ΜΟΥ ΜΕ ΤΟ ΨΥΓΕΙΟ ΕΦΤΑΣΕ ΧΤΥΠΗΜΕΝΗ ΚΑΙ Η ΠΟΡΤΑ ΔΕΝ ΚΛΕΙΝΕΙ ΣΩΣΤΑ"
EL_BILL = "Ο λογαριασμός του ρεύματος χρεώθηκε δύο φορές αυτόν τον μήνα."
SK_WASHER = "Kuriér mi doručil rozbitú práčku a nikto mi neodpovedá na e-maily."
SK_WASHER_PLAIN = "Kurier mi dorucil rozbitu pracku a nikto mi neodpoveda na e-maily"
SK_INVOICE = "Faktúra za február obsahuje poplatok, ktorý sme si neobjednali."
EN_BOILER = "The technician never showed up for the boiler repair we booked for Tuesday morning."
EN_BOILER_AGAIN = "Nobody came to repair our boiler on Tuesday morning even though it was booked."
EN_TICKETS = "Your website charged my card twice for the same concert tickets."

WRITTEN = [TH_PURIFIER, TH_RUDE, TH_BILLING, EL_FRIDGE, EL_BILL, SK_WASHER, SK_INVOICE, EN_BOILER,
           EN_TICKETS]  # fmt: skip


def similarity(a: str, b: str) -> float:
    return cosine(profile(a), profile(b))


def test_a_thai_complaint_finds_its_rewording() -> None:
    # No spaces between Thai words: trigrams need no segmentation.
    assert similarity(TH_PURIFIER_AGAIN, TH_PURIFIER) > 0.4
    assert similarity(TH_PURIFIER_AGAIN, TH_RUDE) < 0.15
    assert max(WRITTEN, key=lambda t: similarity(TH_PURIFIER_AGAIN, t)) == TH_PURIFIER


def test_greek_with_and_without_accents_and_final_sigma_match() -> None:
    assert similarity(EL_FRIDGE, EL_FRIDGE_CAPS) == pytest.approx(1.0, abs=1e-9)
    assert similarity("τους λογαριασμούς", "ΤΟΥΣ ΛΟΓΑΡΙΑΣΜΟΥΣ") == pytest.approx(1.0, abs=1e-9)
    assert similarity(EL_FRIDGE, EL_BILL) < 0.15


def test_slovak_with_and_without_diacritics_match() -> None:
    assert similarity(SK_WASHER, SK_WASHER_PLAIN) == pytest.approx(1.0, abs=1e-9)
    assert max(WRITTEN, key=lambda t: similarity(SK_WASHER_PLAIN, t)) == SK_WASHER
    assert similarity(SK_WASHER, SK_INVOICE) < 0.15


def test_english_rewording_ranks_first_and_unrelated_texts_score_low() -> None:
    assert max(WRITTEN, key=lambda t: similarity(EN_BOILER_AGAIN, t)) == EN_BOILER
    # Unrelated complaints stay under the pattern policy's bar (shared function words
    # like "the" and "for" give them a little).
    bar = PatternPolicy().text_similarity
    assert similarity(EN_BOILER_AGAIN, EN_BOILER) >= bar
    for a in WRITTEN:
        for b in WRITTEN:
            if a != b:
                assert similarity(a, b) < bar - 0.1, (a, b)
    # Across scripts nothing is shared at all.
    assert similarity(TH_BILLING, EN_TICKETS) == 0.0


def test_scores_are_symmetric_bounded_and_one_for_the_same_text() -> None:
    for a in WRITTEN:
        assert similarity(a, a) == pytest.approx(1.0, abs=1e-9)
        for b in WRITTEN:
            assert 0.0 <= similarity(a, b) <= 1.0 + 1e-9
            assert similarity(a, b) == pytest.approx(similarity(b, a), abs=1e-12)


def test_the_score_is_the_same_in_another_process() -> None:
    # Nothing but the two texts decides it: no corpus statistics, no process state.
    here = [similarity(EN_BOILER_AGAIN, t) for t in WRITTEN]
    code = (
        "import json, sys; from amends.patterns.textsim import cosine, profile;"
        "q, *ts = json.load(sys.stdin); print(json.dumps([cosine(profile(q), profile(t))"
        " for t in ts]))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps([EN_BOILER_AGAIN, *WRITTEN]),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(there.stdout) == here


def test_the_array_profile_is_the_profile() -> None:
    from tests.patterns.synthetic import complaints

    texts = [*complaints(300, seed=13), *WRITTEN, EL_FRIDGE_CAPS, SK_WASHER_PLAIN, "", "ab",
             "  a  b  ", "ΣΟΦΟΣ σοφός", "x" * 50]  # fmt: skip
    for text in texts:
        made, expected = vector_of(text), vector(profile(text))
        assert np.array_equal(made.keys, expected.keys), text
        assert np.allclose(made.weights, expected.weights, rtol=0, atol=1e-15), text
