"""The coach's learned model: a cue word for an element is enough, without one the
model decides, what is said in other words is recognised, a fault the lexicons missed
points at its sentence, and the packaged weights are the ones training made."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from amends.coach import learned
from amends.coach.rules import check, cues
from amends.text.fold import fold, only_words

ROOT = Path(__file__).resolve().parents[2]
FITTED_MICRO_F1 = 0.95


def _constant(score: float, faults: float = -20.0) -> learned.Model:
    """A model that gives every element one score and every fault another, whatever the
    message says."""
    weights = np.zeros((learned.WIDTH, len(learned.LABELS)), dtype=np.float32)
    bias = [score if label in learned.ELEMENTS else faults for label in learned.LABELS]
    return learned.Model(weights, np.asarray(bias, dtype=np.float32))


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
    assert set(learned.ELEMENTS) <= cues(text, lang)
    monkeypatch.setattr(learned, "model", lambda: _constant(-20.0))
    assert _missing(text, lang) == set()


@pytest.mark.parametrize("lang", sorted(APOLOGY_ONLY))
def test_without_a_cue_the_model_decides(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = APOLOGY_ONLY[lang]
    assert _missing(text, lang) == {"no-ownership", "no-remedy", "no-prevention"}
    monkeypatch.setattr(learned, "model", lambda: _constant(20.0))
    assert _missing(text, lang) == set()
    # Sure, but not sure enough: the model must reach PRESENT_FROM to overrule silence.
    just_below = float(np.log(learned.PRESENT_FROM / (1 - learned.PRESENT_FROM))) - 0.1
    monkeypatch.setattr(learned, "model", lambda: _constant(just_below))
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


def test_the_packaged_weights_judge_the_training_set_as_training_reported() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_coach import read_training

    tp = fp = fn = 0
    for row in read_training():
        got, expected = set(check(row["text"], row["lang"]).codes), set(row["codes"])
        tp, fp, fn = tp + len(got & expected), fp + len(got - expected), fn + len(expected - got)
    # The fit nearly separates its own training data (the script reports "fitted_on_train");
    # weights trained on other data, or none, fall far below: the lexicons alone reach
    # 0.63-0.66 a language.
    assert 2 * tp / (2 * tp + fp + fn) >= FITTED_MICRO_F1


def test_a_fault_the_lexicons_missed_points_at_its_sentence() -> None:
    text = (
        "Hi Max. Your refund took three weeks because the payment provider holds every "
        "refund for review. It should be in your account now."
    )
    assert "blame-third-party" not in cues(text, "en")
    blame = [f for f in check(text, "en").findings if f.code == "blame-third-party"]
    assert [f.excerpt for f in blame] == [
        "Your refund took three weeks because the payment provider holds every refund for review."
    ]
    assert blame[0].start is not None and blame[0].end is not None
    assert text[blame[0].start : blame[0].end] == blame[0].excerpt
    # A guess warns; only the lexicons' exact words refuse a reply without an override.
    assert blame[0].learned and not blame[0].blocks
    assert check(text, "en").blocking == []
    assert blame[0].as_dict()["learned"] is True


def test_a_message_with_every_element_is_left_to_the_lexicons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A model sure of every fault finds them all in a message that lacks a cue word, and
    # is not asked about one that has them all.
    monkeypatch.setattr(learned, "model", lambda: _constant(20.0, faults=20.0))
    assert set(check(APOLOGY_ONLY["en"], "en").codes) == set(learned.PRESENCE)
    assert check(OWNED_FIXED_CHANGED["en"], "en").codes == []
    thai = [f for f in check("ขอโทษค่ะ ร้านส่งช้า", "th").findings if f.code == "excuse"]
    assert [f.excerpt for f in thai] == ["ขอโทษค่ะ"]  # each Thai phrase is a sentence


SENTENCED = [
    ("en", "Hi Max!!! Your refund... took three weeks; sorry.\n\n— Ana (owner)\n?!"),
    ("th", "สวัสดีค่ะ  ร้านส่งช้า เป็นความผิดของเราเอง!! พรุ่งนี้ส่งใหม่ค่ะ"),
    ("sk", "Dobrý deň. Zásielka meškala – naša chyba; nová ide dnes. Ďakujeme?"),
    ("el", "Καλησπέρα σας. Η παραγγελία άργησε — λάθος μας! Στέλνουμε νέα σήμερα;"),
    ("en", "..."),
]


@pytest.mark.parametrize(("lang", "text"), SENTENCED)
def test_the_sentences_words_in_turn_are_the_messages_words(lang: str, text: str) -> None:
    # Pointing relies on it: an occurrence's place in the message's words says which
    # sentence it is in.
    folded = fold(text)[0]
    spans, starts = learned.sentences(folded, lang)
    pieces = [only_words(folded[s:e]) for s, e in spans]
    assert " ".join(pieces) == only_words(folded)
    assert all(pieces)
    assert starts == [sum(len(p) + 1 for p in pieces[:k]) for k in range(len(pieces))]


@pytest.mark.parametrize(("lang", "text"), SENTENCED[:4])
def test_the_coach_scores_a_message_as_it_was_fitted(lang: str, text: str) -> None:
    # Training counts the occurrences (learned.features); the coach sums their weights
    # one by one. Both must give the same probabilities.
    model = learned.model()
    found = cues(text, lang)
    index, value = learned.features(text, found)
    fitted = model.bias + value @ model.weights[index]
    live = model.scores(learned.occurrences(fold(text)[0], found, len(text)))
    expected = 1.0 / (1.0 + np.exp(-fitted))
    assert np.allclose([live[label] for label in learned.LABELS], expected, atol=1e-5)
