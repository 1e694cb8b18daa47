"""Train the coach's learned model from the labelled TRAINING messages.

Reads tests/data/coach/train/*.jsonl and the project's own examples
(tests/data/coach/{en,th,sk,el}.jsonl), never the held-out part, and fits one logistic
regression per label of ``amends.coach.learned`` (is each element in the message, is
each fault?) over its features, which include what the lexicons found. Writes
src/amends/coach/learned_weights.npz (float16 rows of the features seen in training).
``--folds 5`` first reports, per language, the whole coach's cross-validated micro-F1
and share of clean messages flagged (the lexicons with the model), beside the lexicons
alone; ``--by-writer`` the same on each hand's messages with the model fitted on the
other hands' (tests/data/LABELS.md: thirteen hands wrote apart), at the odds the coach
uses and at others. The fit is deterministic: the same data gives the same weights;
tests/coach/test_learned.py checks that the committed file judges the training set as
its fit reported.

    python scripts/train_coach.py [--folds 5] [--by-writer] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from train_categories import Matrix, descend, publish, save  # noqa: E402

from amends.coach import learned  # noqa: E402
from amends.coach.rules import cues  # noqa: E402
from amends.text.languages import SPOKEN  # noqa: E402

DATA = ROOT / "tests" / "data" / "coach"
# L2 penalty and steps of the fit. The penalty was chosen by fitting on the first 160
# training messages of each language and the project's examples and scoring the other
# 200 of each (written apart, by another hand): 1e-6 to 1e-4 came within 0.02 of each
# other there; the smallest gave the fewest flagged clean messages.
PENALTY = 1e-6
STEPS = 300
LEARNING_RATE = 30.0

# The odds the reports compare (learned.PRESENT_FROM, learned.FOUND_FROM).
PRESENT_ODDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
FOUND_ODDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.96, 0.97)

Rows = list[dict[str, Any]]
Fitted = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]


def read_training() -> Rows:
    """Every training message and project example, in a fixed order, with its cues."""
    paths = [*sorted((DATA / "train").glob("*.jsonl")), *(DATA / f"{x}.jsonl" for x in SPOKEN)]
    rows: Rows = []
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if line:
                row = json.loads(line)
                row.setdefault("lang", path.stem)
                row["cues"] = cues(row["text"], row["lang"])
                rows.append(row)
    return rows


def _targets(rows: Rows) -> npt.NDArray[np.float64]:
    """Per message and label: 1 when the element is there, or the fault is."""
    return np.array([[_holds(r, label) for label in learned.LABELS] for r in rows], dtype=float)


def _holds(row: dict[str, Any], label: str) -> bool:
    if label in learned.ELEMENTS:
        return f"no-{label}" not in row["codes"]
    return label in row["codes"]


def _sigmoid(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-scores)))


def fit(rows: Rows, penalty: float = PENALTY, steps: int = STEPS) -> Fitted:
    """(feature indices, their weights, bias): a logistic regression per label, fitted on
    the mean log-loss plus an L2 penalty (train_categories.descend); deterministic."""
    matrix = Matrix([learned.features(r["text"], r["cues"]) for r in rows])
    target = _targets(rows)
    # For each label, the messages with and without it weigh half the loss each: how
    # often a message lacks an element or blames someone is a property of who wrote the
    # training set, not of the messages the coach will read.
    present_share = target.mean(axis=0).clip(0.01, 0.99)
    balance = np.where(target > 0, 0.5 / present_share, 0.5 / (1 - present_share))
    weights, bias = descend(
        matrix,
        target,
        _sigmoid,
        penalty=penalty,
        steps=steps,
        learning_rate=LEARNING_RATE,
        balance=balance,
    )
    return matrix.features, weights, bias


def present(model: Fitted, rows: Rows) -> npt.NDArray[np.float64]:
    """Each message's probability of holding each element."""
    index, weights, bias = model
    dense = np.zeros((learned.WIDTH, len(learned.LABELS)))
    dense[index] = weights
    out = []
    for r in rows:
        i, v = learned.features(r["text"], r["cues"])
        out.append(_sigmoid(bias + v @ dense[i]))
    return np.array(out)


def codes(
    row: dict[str, Any],
    probabilities: npt.NDArray[np.float64] | None,
    odds: tuple[float, float] = learned.ODDS,
) -> set[str]:
    """The coach's codes for a message: what the lexicons found, with what the model
    reads where they missed an element's cue (the lexicons alone when ``probabilities``
    is None), by ``learned.decide`` as the coach decides (at other ``odds``, if given)."""
    p = None if probabilities is None else dict(zip(learned.LABELS, probabilities, strict=True))
    reading = learned.decide(row["cues"], p, odds)
    found = {c for c in row["cues"] if c not in learned.ELEMENTS} | set(reading.found)
    return found | {f"no-{e}" for e in reading.missing}


def _judged(
    rows: Rows,
    probabilities: npt.NDArray[np.float64],
    odds: tuple[float, float] = learned.ODDS,
) -> list[set[str]]:
    return [codes(r, p, odds) for r, p in zip(rows, probabilities, strict=True)]


def quality(rows: Rows, predicted: list[set[str]]) -> dict[str, Any]:
    """Per language: micro-F1 over the codes and the share of clean messages flagged."""
    counts: dict[str, Counter[str]] = {}
    for row, got in zip(rows, predicted, strict=True):
        c = counts.setdefault(row["lang"], Counter())
        expected = set(row["codes"])
        c["tp"] += len(got & expected)
        c["fp"] += len(got - expected)
        c["fn"] += len(expected - got)
        if not expected:
            c["clean"] += 1
            c["clean_flagged"] += bool(got)
    return {
        lang: {
            "micro_f1": round(2 * c["tp"] / max(1, 2 * c["tp"] + c["fp"] + c["fn"]), 3),
            "clean_flagged": round(c["clean_flagged"] / max(1, c["clean"]), 3),
        }
        for lang, c in sorted(counts.items())
    }


def scored_apart(rows: Rows, groups: list[Any], **fit_args: Any) -> dict[str, Any]:
    """The whole coach on each group's messages, fitted on every other message (those
    whose group is None are only ever fitted on), beside the lexicons alone."""
    probabilities = np.zeros((len(rows), len(learned.LABELS)))
    for group in sorted({g for g in groups if g is not None}):
        held = [i for i, g in enumerate(groups) if g == group]
        model = fit([r for r, g in zip(rows, groups, strict=True) if g != group], **fit_args)
        probabilities[held] = present(model, [rows[i] for i in held])
    scored = [i for i, g in enumerate(groups) if g is not None]
    judged = [rows[i] for i in scored]
    return {
        "with_the_model": quality(judged, _judged(judged, probabilities[scored])),
        "lexicons_alone": quality(judged, [codes(r, None) for r in judged]),
        # What other odds would have made of the same messages: how PRESENT_FROM and
        # FOUND_FROM are chosen, on messages no fit saw.
        "at_other_odds": {
            f"present_from {element:.2f}, found_from {fault:.2f}": quality(
                judged, _judged(judged, probabilities[scored], (element, fault))
            )
            for element in PRESENT_ODDS
            for fault in FOUND_ODDS
        },
    }


def cross_validate(rows: Rows, k: int, **fit_args: Any) -> dict[str, Any]:
    """The whole coach over ``k`` folds (the n-th message goes to fold n % k)."""
    return scored_apart(rows, [i % k for i in range(len(rows))], **fit_args)


# Where each hand's messages begin in every language's training file (tests/data/LABELS.md).
HANDS = (1, 161, 361, 601, 841, 1081, 1321, 1561, 1801, 2041, 2281, 2521, 2761)


def hand(row: dict[str, Any]) -> int | None:
    """The first number of the hand that wrote a training message; None for the
    project's own examples (their ids are not numbered training ids)."""
    prefix, _, number = row.get("id", "").rpartition("-")
    if not prefix.endswith("-train") or not number.isdigit():
        return None
    return max(h for h in HANDS if h <= int(number))


def by_writer(rows: Rows, **fit_args: Any) -> dict[str, Any]:
    """The whole coach on each hand's messages, fitted on every other hand's and the
    project's examples: how it reads a writer it never saw."""
    return scored_apart(rows, [hand(r) for r in rows], **fit_args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=0, help="cross-validate first (e.g. 5)")
    parser.add_argument(
        "--by-writer", action="store_true", help="score each hand fitted on the others first"
    )
    parser.add_argument("--out", type=Path, default=learned.WEIGHTS)
    parser.add_argument("--penalty", type=float, default=PENALTY)
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args()
    rows = read_training()
    report: dict[str, Any] = {"training_messages": len(rows)}
    if args.folds:
        print(f"cross-validating over {args.folds} folds...", file=sys.stderr)
        cv = cross_validate(rows, args.folds, penalty=args.penalty, steps=args.steps)
        report[f"cross_validated_{args.folds}_fold"] = cv
    if args.by_writer:
        print(f"fitting without each of {len(HANDS)} hands...", file=sys.stderr)
        report["by_writer"] = by_writer(rows, penalty=args.penalty, steps=args.steps)
    print("fitting on every training message...", file=sys.stderr)
    model = fit(rows, penalty=args.penalty, steps=args.steps)
    report["fitted_on_train"] = quality(rows, _judged(rows, present(model, rows)))
    save(model, args.out)
    publish(report, args.out, len(model[0]))


if __name__ == "__main__":
    main()
