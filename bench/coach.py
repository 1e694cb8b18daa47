"""Coach throughput: messages of about 600 characters in mixed languages, one core.

Target: >= 2,000 messages per second. Two corpora: sentences of the project's labelled
set (nearly every message has a cue word for each element, so the learned model of the
elements is rarely asked), and messages of the training set that have no cue word for
prevention, so that the model judges every one of them (the slowest case).

    python bench/coach.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

from _common import emit
from amends.coach import learned
from amends.coach.rules import check, cues
from amends.text.languages import SPOKEN

DATA = Path(__file__).parent.parent / "tests" / "data" / "coach"


def corpus(n: int) -> list[tuple[str, str]]:
    """n messages of ~600 characters, built from the labelled set's sentences."""
    return _joined(n, {lang: _texts(DATA / f"{lang}.jsonl") for lang in SPOKEN}, seed=3)


def corpus_without_cue(n: int) -> list[tuple[str, str]]:
    """n messages of ~600 characters made of training messages with no prevention cue."""
    pools = {
        lang: [
            t for t in _texts(DATA / "train" / f"{lang}.jsonl") if "prevention" not in cues(t, lang)
        ]
        for lang in SPOKEN
    }
    return _joined(n, pools, seed=5)


def _texts(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line]


def _joined(n: int, pools: dict[str, list[str]], seed: int) -> list[tuple[str, str]]:
    """n texts of 600 characters, each made of one language's pool, languages in turn."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = SPOKEN[i % len(SPOKEN)]
        text = ""
        while len(text) < 600:
            text += rng.choice(pools[lang]) + "\n\n"
        out.append((text[:600], lang))
    return out


def _rate(messages: list[tuple[str, str]], detect: bool) -> dict[str, float]:
    started = time.perf_counter()
    for text, lang in messages:
        check(text, None if detect else lang)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "per_second": round(len(messages) / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    messages = corpus(args.messages)
    for text, _ in messages[:200]:  # warm the compiled patterns
        check(text)
    results = {"auto": _rate(messages, True), "given": _rate(messages, False)}
    unsure = corpus_without_cue(args.messages)
    judged = sum("prevention" not in cues(t, lang) for t, lang in unsure[:1000]) / 10
    learned.model()
    results["model"] = _rate(unsure, False)
    emit(
        {
            "benchmark": "coach",
            "messages": len(messages),
            "average_chars": round(sum(len(t) for t, _ in messages) / len(messages)),
            "language_detected": results["auto"],
            "language_given": results["given"],
            "language_given_model_judging_every_message": results["model"]
            | {"percent_without_a_prevention_cue": judged},
            "target_per_second": 2000,
            # Met only when every corpus, the slowest included, reaches the target.
            "ok": min(r["per_second"] for r in results.values()) >= 2000,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    )


if __name__ == "__main__":
    main()
