"""The coach's learned model of ownership, remedy and prevention: a cue word is enough,
without one the model decides, what it says in other words is recognised, and the
packaged weights are the ones training made."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from amends.coach import elements
from amends.coach.rules import check, cues

ROOT = Path(__file__).resolve().parents[2]


def _constant(score: float) -> elements.Model:
    """A model that gives every element the same score, whatever the message says."""
    weights = np.zeros((elements.WIDTH, len(elements.ELEMENTS)), dtype=np.float32)
    return elements.Model(weights, np.full(len(elements.ELEMENTS), score, dtype=np.float32))


def _missing(text: str, lang: str) -> set[str]:
    return {c for c in check(text, lang).codes if c.startswith("no-")}


OWNED_FIXED_CHANGED = {
    "en": "Dear Maria, we got your order wrong and that is entirely our fault. We have "
    "refunded the full amount. From now on every order is checked twice before it leaves.",
    "sk": "Dobrý deň, pán Kováč, pokazili sme to – balík odišiel na zlú adresu. Nový Vám "
    "posielame ešte dnes a dopravu neplatíte. Odteraz každú adresu pred odoslaním "
    "kontrolujú dvaja ľudia.",
    "el": "Κυρία Παππά, η καθυστέρηση ήταν δικό μας λάθος. Σας στέλνουμε σήμερα νέο δέμα "
    "χωρίς χρέωση. Από εδώ και πέρα κάθε παραγγελία ελέγχεται δύο φορές πριν φύγει.",
    "th": "เรียนคุณมาลี ร้านเราส่งเค้กช้าไปหนึ่งวัน เป็นความผิดของเราเองค่ะ "
    "เราจะส่งเค้กชิ้นใหม่ให้ฟรีพรุ่งนี้เช้า ตั้งแต่นี้เป็นต้นไปเราจะจดทุกออเดอร์ลงปฏิทินเพื่อไม่ให้เกิดขึ้นอีกค่ะ",
}
APOLOGY_ONLY = {"en": "Sorry about that.", "sk": "Prepáčte.", "el": "Συγγνώμη.", "th": "ขอโทษค่ะ"}


@pytest.mark.parametrize("lang", sorted(OWNED_FIXED_CHANGED))
def test_a_cue_word_is_enough_whatever_the_model_says(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = OWNED_FIXED_CHANGED[lang]
    assert set(elements.ELEMENTS) <= cues(text, lang)
    monkeypatch.setattr(elements, "model", lambda: _constant(-20.0))
    assert _missing(text, lang) == set()


@pytest.mark.parametrize("lang", sorted(APOLOGY_ONLY))
def test_without_a_cue_the_model_decides(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = APOLOGY_ONLY[lang]
    assert _missing(text, lang) == {"no-ownership", "no-remedy", "no-prevention"}
    monkeypatch.setattr(elements, "model", lambda: _constant(20.0))
    assert _missing(text, lang) == set()
    # Sure, but not sure enough: the model must reach PRESENT_FROM to overrule silence.
    just_below = float(np.log(elements.PRESENT_FROM / (1 - elements.PRESENT_FROM))) - 0.1
    monkeypatch.setattr(elements, "model", lambda: _constant(just_below))
    assert _missing(text, lang) == {"no-ownership", "no-remedy", "no-prevention"}


def test_an_element_said_in_other_words_is_recognised() -> None:
    # No prevention cue word in either message; the model reads "every order now goes
    # on the calendar" and "the shop writes every order in the calendar" as a change.
    english = (
        "Hi Dana, your cake came a day late and that was our mistake. I've put a "
        "replacement in the oven for Saturday morning, no charge. Every order now goes "
        "on the wall calendar the day it is taken."
    )
    thai = (
        "เรียนคุณมาลี ร้านเราส่งเค้กช้าไปหนึ่งวัน เป็นความผิดของเราเองค่ะ "
        "เราจะส่งเค้กชิ้นใหม่ให้ฟรีพรุ่งนี้เช้า และตอนนี้ร้านจดทุกออเดอร์ลงปฏิทินทันทีที่รับค่ะ"
    )
    for text, lang in ((english, "en"), (thai, "th")):
        assert "prevention" not in cues(text, lang)
        assert _missing(text, lang) == set()


def test_only_the_required_elements_are_judged() -> None:
    assert check(APOLOGY_ONLY["en"], "en", required=("remedy",)).codes == ["no-remedy"]
    assert check(APOLOGY_ONLY["en"], "en", required=()).codes == []


def test_the_packaged_weights_decide_the_training_set_as_training_reported() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_coach import read_training

    rows = read_training()
    model = elements.model()
    right = total = 0
    for row in rows:
        missing = set(model.missing(row["text"], row["cues"]))
        for element in elements.ELEMENTS:
            total += 1
            right += (element in missing) == (f"no-{element}" in row["codes"])
    # The fit nearly separates its own training data; weights trained on other data, or
    # none, fall far below (the lexicons alone decide 70% of these right).
    assert right / total >= 0.95
