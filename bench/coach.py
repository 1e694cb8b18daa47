"""Coach throughput: messages of about 600 characters in mixed languages, one core.

Target: >= 2,000 messages per second.

    python bench/coach.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from _common import emit
from amends.coach.rules import check
from amends.text.languages import SPOKEN

DATA = Path(__file__).parent.parent / "tests" / "data" / "coach"


def corpus(n: int) -> list[tuple[str, str]]:
    """n messages of ~600 characters, built from the labelled set's sentences."""
    rng = random.Random(3)
    pools: dict[str, list[str]] = {}
    for lang in SPOKEN:
        rows = [
            json.loads(line)
            for line in (DATA / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
            if line
        ]
        pools[lang] = [row["text"] for row in rows]
    out = []
    for i in range(n):
        lang = SPOKEN[i % len(SPOKEN)]
        text = ""
        while len(text) < 600:
            text += rng.choice(pools[lang]) + "\n\n"
        out.append((text[:600], lang))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    messages = corpus(args.messages)
    for text, _ in messages[:200]:  # warm the compiled patterns
        check(text)
    results = {}
    for mode in ("auto", "given"):
        started = time.perf_counter()
        for text, lang in messages:
            check(text, None if mode == "auto" else lang)
        seconds = time.perf_counter() - started
        results[mode] = {"seconds": round(seconds, 3), "per_second": round(len(messages) / seconds)}
    emit(
        {
            "benchmark": "coach",
            "messages": len(messages),
            "average_chars": round(sum(len(t) for t, _ in messages) / len(messages)),
            "language_detected": results["auto"],
            "language_given": results["given"],
            "target_per_second": 2000,
            "ok": results["auto"]["per_second"] >= 2000,
        }
    )


if __name__ == "__main__":
    main()
