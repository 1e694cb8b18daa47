"""Train the complaint-category model from the labelled TRAINING complaints only.

Reads tests/data/categories/train/*.jsonl (never the held-out part), fits one multinomial
logistic regression for all languages over the features of ``amends.text.categories``,
and writes src/amends/text/category_weights.npz (float16 rows of the features seen in
training). ``--folds 5`` first reports the stratified cross-validated accuracy per
language on the training data. The fit is deterministic: the same data gives the same
weights, which ``tests/text/test_categories.py`` checks against the committed file.

    python scripts/train_categories.py [--folds 5] [--check] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from amends.text.categories import DIMENSIONS, WEIGHTS, features  # noqa: E402

TRAIN = ROOT / "tests" / "data" / "categories" / "train"
LABELS = (
    "late_delivery",
    "wrong_item",
    "billing",
    "quality",
    "missed_commitment",
    "staff_behaviour",
    "communication",
    "other",
)
# L2 penalty and steps of the fit, chosen by cross-validation on the training data.
PENALTY = 1e-4
STEPS = 300
# The step on the mean gradient, the same whatever the number of complaints (a step
# that grew with it made the fit diverge past some 900 complaints).
LEARNING_RATE = 30.0

Rows = list[dict[str, Any]]


def read_training(folder: Path = TRAIN) -> Rows:
    """Every training complaint, in a fixed order (language, then file order)."""
    rows: Rows = []
    for path in sorted(folder.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return rows


class Matrix:
    """Sparse rows of features, kept as flat arrays (numpy only, no scipy)."""

    def __init__(self, parts: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]]) -> None:
        self.starts = np.cumsum([0] + [len(i) for i, _ in parts[:-1]])
        self.docs = np.repeat(np.arange(len(parts)), [len(i) for i, _ in parts])
        columns = np.concatenate([i for i, _ in parts])
        self.values = np.concatenate([v for _, v in parts]).astype(np.float64)
        # Only the features that occur are fitted; the rest keep weight 0.
        self.features, self.columns = np.unique(columns, return_inverse=True)
        self.n = len(parts)

    def scores(self, weights: npt.NDArray[np.float64], bias: npt.NDArray[np.float64]) -> Any:
        contributions = self.values[:, None] * weights[self.columns]
        return bias + np.add.reduceat(contributions, self.starts, axis=0)

    def gradient(self, residual: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        per_entry = self.values[:, None] * residual[self.docs]
        return np.stack(
            [
                np.bincount(self.columns, per_entry[:, c], minlength=len(self.features))
                for c in range(residual.shape[1])
            ],
            axis=1,
        )


def _softmax(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    return np.asarray(scores / scores.sum(axis=1, keepdims=True))


def fit(
    rows: Rows, penalty: float = PENALTY, steps: int = STEPS
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(feature indices, their weights, bias) of a softmax over the categories, fitted on
    the mean cross-entropy plus an L2 penalty (see descend); deterministic."""
    matrix = Matrix([features(r.get("subject", ""), r["text"]) for r in rows])
    target = np.zeros((matrix.n, len(LABELS)))
    target[np.arange(matrix.n), [LABELS.index(r["category"]) for r in rows]] = 1.0
    weights, bias = descend(matrix, target, _softmax, penalty=penalty, steps=steps)
    return matrix.features, weights, bias


def descend(
    matrix: Matrix,
    target: npt.NDArray[np.float64],
    link: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    *,
    penalty: float,
    steps: int,
    learning_rate: float = LEARNING_RATE,
    balance: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(weights, bias) of a linear model with ``link`` (softmax or sigmoid): full-batch
    gradient descent with Nesterov momentum on the mean loss plus an L2 penalty, each
    entry's error weighed by ``balance`` when given. Deterministic."""
    weights = np.zeros((len(matrix.features), target.shape[1]))
    bias = np.zeros(target.shape[1])
    velocity_w, velocity_b = np.zeros_like(weights), np.zeros_like(bias)
    for _ in range(steps):
        ahead_w, ahead_b = weights + 0.9 * velocity_w, bias + 0.9 * velocity_b
        error = link(matrix.scores(ahead_w, ahead_b)) - target
        residual = (error if balance is None else balance * error) / matrix.n
        grad_w = matrix.gradient(residual) + penalty * ahead_w
        grad_b = residual.sum(axis=0)
        velocity_w = 0.9 * velocity_w - learning_rate * grad_w
        velocity_b = 0.9 * velocity_b - learning_rate * grad_b
        weights, bias = weights + velocity_w, bias + velocity_b
    if not np.isfinite(weights).all():
        raise SystemExit("the fit diverged: lower the learning rate")
    return weights, bias


def predict(
    model: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]],
    rows: Rows,
) -> list[str]:
    return [label for label, _ in predict_sure(model, rows)]


def predict_sure(
    model: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]],
    rows: Rows,
) -> list[tuple[str, float]]:
    """Each complaint's top category and the model's probability for it."""
    index, weights, bias = model
    dense = np.zeros((DIMENSIONS, len(LABELS)))
    dense[index] = weights
    out = []
    for r in rows:
        i, v = features(r.get("subject", ""), r["text"])
        scores = bias + v @ dense[i]
        p = np.exp(scores - scores.max())
        p /= p.sum()
        top = int(np.argmax(p))
        out.append((LABELS[top], float(p[top])))
    return out


def folds(rows: Rows, k: int) -> list[list[int]]:
    """Stratified by language and category, fixed: the n-th of each pair goes to n % k."""
    seen: Counter[tuple[str, str]] = Counter()
    out: list[list[int]] = [[] for _ in range(k)]
    for i, r in enumerate(rows):
        key = (r["lang"], r["category"])
        out[seen[key] % k].append(i)
        seen[key] += 1
    return out


def cross_validate(rows: Rows, k: int, **fit_args: Any) -> dict[str, Any]:
    """Per-language accuracy over ``k`` folds, and each complaint's prediction."""
    predicted: list[str] = [""] * len(rows)
    sure: list[float] = [0.0] * len(rows)
    for held in folds(rows, k):
        held_set = set(held)
        model = fit([r for i, r in enumerate(rows) if i not in held_set], **fit_args)
        guesses = predict_sure(model, [rows[i] for i in held])
        for i, (label, p) in zip(held, guesses, strict=True):
            predicted[i], sure[i] = label, p
    # What a case would get with each threshold below which a guess stays "other": the
    # threshold in amends.text.categories is chosen from this, on training data only.
    as_used = {
        str(t): accuracy(
            rows, [label if p >= t else "other" for label, p in zip(predicted, sure, strict=True)]
        )
        for t in (0.0, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
    }
    return {"accuracy": accuracy(rows, predicted), "predicted": predicted, "as_used": as_used}


def accuracy(rows: Rows, predicted: list[str]) -> dict[str, float]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for r, p in zip(rows, predicted, strict=True):
        total[r["lang"]] += 1
        right[r["lang"]] += p == r["category"]
    return {lang: round(right[lang] / total[lang], 3) for lang in sorted(total)}


def save(model: Any, path: Path, labels: tuple[str, ...] | None = None) -> None:
    """A fit's weights as float16 rows of the features it saw (four significant digits,
    plenty for scores compared with each other or a threshold), with its labels when
    they are not fixed in code."""
    index, weights, bias = model
    arrays: dict[str, Any] = {} if labels is None else {"labels": np.array(labels)}
    arrays |= {
        "rows": index.astype(np.int32),
        "weights": weights.astype(np.float16),
        "bias": bias.astype(np.float16),
    }
    np.savez_compressed(path, **arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=0, help="cross-validate first (e.g. 5)")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--penalty", type=float, default=PENALTY)
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args()
    rows = read_training()
    report: dict[str, Any] = {"training_complaints": len(rows)}
    if args.folds:
        cv = cross_validate(rows, args.folds, penalty=args.penalty, steps=args.steps)
        report[f"cross_validated_{args.folds}_fold"] = cv["accuracy"]
        report["cross_validated_as_used_by_threshold"] = cv["as_used"]
    model = fit(rows, penalty=args.penalty, steps=args.steps)
    report["fitted_on_train"] = accuracy(rows, predict(model, rows))
    save(model, args.out, LABELS)
    publish(report, args.out, len(model[0]))


def publish(report: dict[str, Any], weights: Path, features: int) -> None:
    """Print a fit's report as JSON, with where its weights went and how many rows."""
    report["weights"] = str(weights.relative_to(ROOT) if weights.is_relative_to(ROOT) else weights)
    report["features"] = features
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
