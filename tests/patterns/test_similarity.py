"""The similar-case index on its own: languages, updates, persistence, recall."""

from __future__ import annotations

import math
import pickle
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from amends.patterns.ngrams import featurise
from amends.patterns.similarity import SimilarityIndex
from tests.patterns.synthetic import complaints

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

WRITTEN = {
    1: TH_PURIFIER,
    2: TH_RUDE,
    3: TH_BILLING,
    4: EL_FRIDGE,
    5: EL_BILL,
    6: SK_WASHER,
    7: SK_INVOICE,
    8: EN_BOILER,
    9: EN_TICKETS,
}


def written_index() -> SimilarityIndex:
    """The sentences above among 400 synthetic complaints, so idf is realistic."""
    background = [(1000 + i, text) for i, text in enumerate(complaints(400, seed=3))]
    return SimilarityIndex.build([*WRITTEN.items(), *background])


def test_a_thai_complaint_finds_its_rewording() -> None:
    index = written_index()
    best, score = index.query(TH_PURIFIER_AGAIN, 3)[0]
    assert best == 1
    assert score > 0.4
    assert index.similarity(TH_PURIFIER_AGAIN, TH_RUDE) < 0.15


def test_greek_with_and_without_accents_and_final_sigma_match() -> None:
    index = written_index()
    assert index.similarity(EL_FRIDGE, EL_FRIDGE_CAPS) == pytest.approx(1.0, abs=1e-5)
    assert index.similarity("τους λογαριασμούς", "ΤΟΥΣ ΛΟΓΑΡΙΑΣΜΟΥΣ") == pytest.approx(
        1.0, abs=1e-5
    )
    assert index.query(EL_FRIDGE_CAPS, 1) == [(4, pytest.approx(1.0, abs=2e-3))]
    assert index.similarity(EL_FRIDGE, EL_BILL) < 0.15


def test_slovak_with_and_without_diacritics_match() -> None:
    index = written_index()
    assert index.similarity(SK_WASHER, SK_WASHER_PLAIN) == pytest.approx(1.0, abs=1e-5)
    assert index.query(SK_WASHER_PLAIN, 1)[0][0] == 6
    assert index.similarity(SK_WASHER, SK_INVOICE) < 0.15


def test_english_rewording_ranks_first_and_unrelated_texts_score_low() -> None:
    index = written_index()
    assert index.query(EN_BOILER_AGAIN, 1)[0][0] == 8
    for a in WRITTEN.values():
        for b in WRITTEN.values():
            if a != b:
                assert index.similarity(a, b) < 0.2, (a, b)
    # Across scripts nothing is shared at all.
    assert index.similarity(TH_BILLING, EN_TICKETS) == 0.0


def test_scores_are_the_tf_idf_cosine_computed_independently() -> None:
    index = written_index()
    texts = [*WRITTEN.values(), *complaints(400, seed=3)]
    _, buckets, _ = featurise(texts)
    df: Counter[int] = Counter(buckets.tolist())
    n = len(texts)

    def vector(text: str) -> dict[int, float]:
        _, b, c = featurise([text])
        weights = {
            int(f): (1 + math.log(int(tf))) * (math.log((1 + n) / (1 + df[int(f)])) + 1)
            for f, tf in zip(b, c, strict=True)
        }
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {f: w / norm for f, w in weights.items()}

    query = vector(EN_BOILER_AGAIN)
    expected = sum(w * vector(EN_BOILER).get(f, 0.0) for f, w in query.items())
    got = dict(index.query(EN_BOILER_AGAIN, 5))
    # Stored vectors are float16: three significant digits.
    assert got[8] == pytest.approx(expected, abs=2e-3)
    assert index.similarity(EN_BOILER_AGAIN, EN_BOILER) == pytest.approx(expected, rel=1e-5)


def test_cases_added_one_by_one_are_found_replaced_and_removed() -> None:
    index = written_index()
    assert len(index) == 409
    index.add(20, TH_PURIFIER_AGAIN)
    assert 20 in index
    assert [doc for doc, _ in index.query(TH_PURIFIER, 2)] == [1, 20]
    assert index.query(TH_PURIFIER, 3, exclude=[1])[0][0] == 20
    index.add(20, SK_WASHER_PLAIN)  # the case's text changed: it replaces the old one
    assert index.query(TH_PURIFIER, 2)[0][0] == 1
    assert 20 not in [doc for doc, _ in index.query(TH_PURIFIER, 10)]
    assert {doc for doc, _ in index.query(SK_WASHER, 2)} == {6, 20}
    assert index.remove(6) and not index.remove(6)
    assert index.query(SK_WASHER, 1)[0][0] == 20
    assert len(index) == 409


def test_an_empty_index_grows_by_adds_and_stays_exact() -> None:
    index = SimilarityIndex()
    assert index.query(EN_BOILER) == []
    texts = complaints(1500, seed=11)
    for i, text in enumerate(texts):
        index.add(i, text)
    # The delta was folded into rebuilt posting lists along the way.
    assert index.delta_size < len(index)
    for text in complaints(1540, seed=11)[1500:]:
        assert index.query(text, 10) == index.exact_query(text, 10)


def test_save_and_load_give_the_same_answers(tmp_path: Path) -> None:
    index = written_index()
    index.add(30, EN_BOILER_AGAIN)  # one text still in the delta when saved
    index.remove(9)
    path = tmp_path / "index.npz"
    index.save(path, meta={"source": "test"})
    again = SimilarityIndex.load(path)
    assert SimilarityIndex.read_meta(path) == {"source": "test"}
    assert len(again) == len(index) and 9 not in again and 30 in again
    for text in (TH_PURIFIER_AGAIN, EL_FRIDGE_CAPS, SK_WASHER_PLAIN, EN_BOILER):
        assert again.query(text, 5) == index.query(text, 5)
    again.add(31, TH_PURIFIER)
    assert again.query(TH_PURIFIER, 1)[0][1] == pytest.approx(1.0, abs=2e-3)


class _Trap:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(Path(TRAP_MARK)),))


TRAP_MARK = ""


def test_loading_never_unpickles(tmp_path: Path) -> None:
    global TRAP_MARK
    TRAP_MARK = str(tmp_path / "pwned")
    trap = tmp_path / "trap.npz"
    np.savez(trap, header=np.array([_Trap()], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        SimilarityIndex.load(trap)
    raw = tmp_path / "trap.pkl"
    raw.write_bytes(pickle.dumps(_Trap()))
    with pytest.raises(ValueError, match=r"pickle|similarity index"):
        SimilarityIndex.load(raw)
    assert not Path(TRAP_MARK).exists()
    (tmp_path / "junk.npz").write_bytes(b"not an index")
    with pytest.raises(ValueError, match="similarity index"):
        SimilarityIndex.load(tmp_path / "junk.npz")


def _recall(index: SimilarityIndex, queries: list[str]) -> float:
    found = total = 0
    for text in queries:
        truth = {doc for doc, _ in index.exact_query(text, 10)}
        found += len(truth & {doc for doc, _ in index.query(text, 10)})
        total += len(truth)
    return found / total


def test_recall_against_brute_force_on_synthetic_complaints() -> None:
    texts = complaints(4200, seed=5)
    corpus, queries = texts[:4000], texts[4000:]
    # Small lists and budgets, so the champions and the budget are really exercised.
    index = SimilarityIndex.build(enumerate(corpus), postings_cap=300, budget=8000, candidates=150)
    assert _recall(index, queries) >= 0.95
    starved = SimilarityIndex.build(enumerate(corpus), postings_cap=300, budget=300, candidates=12)
    assert _recall(starved, queries) < 0.9  # the measure does tell a poor index apart


def test_texts_added_after_the_build_are_found_among_crowded_lists() -> None:
    texts = complaints(2700, seed=9)
    index = SimilarityIndex.build(
        enumerate(texts[:2500]), postings_cap=40, budget=1500, candidates=60
    )
    for i, text in enumerate(texts[2500:]):
        index.add(5000 + i, text)
    assert index.delta_size == 200  # still in the delta, not yet rebuilt
    for i, text in enumerate(texts[2500:]):
        doc, score = index.query(text, 1)[0]
        assert score == pytest.approx(1.0, abs=2e-3)
        # Itself, or an earlier text that folds to the same (e.g. typed without accents).
        assert doc == 5000 + i or index.similarity(text, texts[doc]) > 0.999
