"""Complaint categories from the text: accuracy per language and speed.

Two figures per language (tests/data/LABELS.md defines the categories):

- train, cross-validated: the training part (tests/data/categories/train/, the original
  120 a language and the extra-*.jsonl complaints) in stratified folds, each fold scored
  by a model fitted on the others, as ``scripts/train_categories.py --folds`` does;
- held-out: the packaged model (fitted on all of the training part) on
  tests/data/categories/heldout/ (48 a language), which no rule or weight was tuned on.

Accuracy is of the model's top category; "as used" is what a case gets, where a guess
below ``MIN_CONFIDENCE`` stays "other". The target (issue: understanding what people
write) is >= 0.85 a language on the held-out part. Speed is complaints scored per second
on one core, with the load average, since the machine may be shared.

    python bench/categories.py [--folds 5] [--skip-cv]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import emit, progress

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from train_categories import accuracy, cross_validate, read_training  # noqa: E402

from amends.text import categories  # noqa: E402

HELDOUT = ROOT / "tests" / "data" / "categories" / "heldout"


def _rows(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return rows


def _confusions(rows: list[dict[str, Any]], predicted: list[str], top: int = 8) -> list[str]:
    pairs = Counter(
        f"{r['category']} -> {p}"
        for r, p in zip(rows, predicted, strict=True)
        if p != r["category"]
    )
    return [f"{pair}: {n}" for pair, n in pairs.most_common(top)]


def _per_category(rows: list[dict[str, Any]], predicted: list[str]) -> dict[str, float]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for r, p in zip(rows, predicted, strict=True):
        total[r["category"]] += 1
        right[r["category"]] += p == r["category"]
    return {c: round(right[c] / total[c], 3) for c in sorted(total)}


def _speed(rows: list[dict[str, Any]], seconds: float = 2.0) -> dict[str, Any]:
    model = categories.model()
    texts = [(r.get("subject", ""), r["text"]) for r in rows]
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for subject, text in texts:
            model.guess(subject, text)
        done += len(texts)
    elapsed = time.perf_counter() - start
    return {
        "messages_per_second": round(done / elapsed),
        "ms_per_message": round(elapsed / done * 1000, 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-cv", action="store_true", help="held-out and speed only")
    args = parser.parse_args()
    result: dict[str, Any] = {"min_confidence": categories.MIN_CONFIDENCE}
    training = read_training()
    if not args.skip_cv:
        progress(f"cross-validating on {len(training)} training complaints")
        cv = cross_validate(training, args.folds)
        result[f"train_cross_validated_{args.folds}_fold"] = {
            "complaints": len(training),
            "accuracy": cv["accuracy"],
            "per_category": _per_category(training, cv["predicted"]),
            "confusions": _confusions(training, cv["predicted"]),
        }
    heldout = _rows(HELDOUT)
    guesses = [categories.categorise(r.get("subject", ""), r["text"]) for r in heldout]
    best = [g.best for g in guesses]
    used = [g.category for g in guesses]
    result["heldout"] = {
        "complaints": len(heldout),
        "accuracy": accuracy(heldout, best),
        "accuracy_as_used": accuracy(heldout, used),
        "left_other_for_low_confidence": sum(
            g.best != g.category for g in guesses if g.best != "other"
        ),
        "per_category": _per_category(heldout, best),
        "confusions": _confusions(heldout, best),
    }
    result["speed"] = _speed(heldout)
    emit(result)


if __name__ == "__main__":
    main()
