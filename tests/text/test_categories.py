"""The complaint-category model: plain complaints in each language get their category,
an unsure guess stays "other", and the packaged weights are the ones training made."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from amends.playbook.rules import Category
from amends.text import categories

ROOT = Path(__file__).resolve().parents[2]

# Written for this test, not taken from the labelled data files.
PLAIN = [
    (
        "en",
        "Double charge",
        "You took the payment for my March invoice twice from my card.",
        "billing",
    ),
    (
        "en",
        "",
        "The parcel was promised for Monday and only turned up on Thursday evening.",
        "late_delivery",
    ),
    (
        "en",
        "Wrong colour",
        "I ordered a red jacket and received a grey one, and the zip is broken.",
        "wrong_item",
    ),
    (
        "en",
        "",
        "I have called and emailed five times this week and nobody answers.",
        "communication",
    ),
    ("sk", "Faktúra", "Za tú istú objednávku ste mi strhli peniaze z karty dvakrát.", "billing"),
    ("sk", "", "Namiesto modrej bundy prišla sivá a zips je pokazený.", "wrong_item"),
    (
        "sk",
        "",
        "Píšem vám už piaty e-mail a nikto mi neodpovedá, telefón nikto nedvíha.",
        "communication",
    ),
    ("el", "Χρέωση", "Μας χρεώσατε δύο φορές για την ίδια παραγγελία στην κάρτα.", "billing"),
    ("el", "", "Παρήγγειλα κόκκινο μπουφάν και ήρθε γκρι, με σπασμένο φερμουάρ.", "wrong_item"),
    (
        "el",
        "",
        "Σας έστειλα πέντε email αυτή την εβδομάδα και κανείς δεν απαντάει.",
        "communication",
    ),
    ("th", "", "บัตรเครดิตถูกตัดเงินซ้ำสองครั้งสำหรับใบแจ้งหนี้เดียวกัน", "billing"),
    ("th", "", "สั่งเสื้อสีแดงแต่ได้สีเทามา แถมซิปพังด้วย", "wrong_item"),
    ("th", "", "ส่งอีเมลไปห้าครั้งแล้วไม่มีใครตอบเลย โทรไปก็ไม่มีใครรับสาย", "communication"),
]


@pytest.mark.parametrize(("lang", "subject", "text", "expected"), PLAIN)
def test_a_plain_complaint_gets_its_category(
    lang: str, subject: str, text: str, expected: str
) -> None:
    guess = categories.categorise(subject, text)
    assert guess.category == expected, (lang, guess)
    assert categories.MIN_CONFIDENCE <= guess.confidence <= 1


def test_every_category_the_model_gives_is_a_case_category() -> None:
    assert set(categories.model().labels) == {c.value for c in Category}


def test_an_unsure_guess_stays_other() -> None:
    model = categories.model()
    probabilities = model.probabilities("", "ok")
    guess = model.guess("", "ok")
    if float(probabilities.max()) < categories.MIN_CONFIDENCE:
        assert guess.category == "other"
    assert guess.best == model.labels[int(probabilities.argmax())]


def test_empty_text_is_scored_without_failing() -> None:
    assert categories.categorise("", "").category in {c.value for c in Category}


def test_accents_case_and_final_sigma_do_not_change_the_features() -> None:
    a = categories.features("ΧΡΈΩΣΗ", "Μας χρεώσατε δύο φορές")
    b = categories.features("χρεωση", "μας χρεωσατε δυο φορεσ")
    assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1])


def test_the_packaged_weights_score_the_training_set_as_training_reported() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_categories import read_training

    rows = read_training()
    model = categories.model()
    right = sum(model.guess(r["subject"], r["text"]).best == r["category"] for r in rows)
    # The fit separates its own training data (the script reports 1.0 a language).
    assert right / len(rows) >= 0.99
