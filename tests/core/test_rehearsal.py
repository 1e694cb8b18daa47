"""Crash rehearsals stop one process at each hold point: a second process armed alike
goes on, so a rehearsal that kills the first is not left with another stopped for good."""

from __future__ import annotations

import threading
from pathlib import Path

from amends import rehearsal
from amends.config import Settings


def _armed(folder: Path) -> Settings:
    return Settings(rehearsal_hold=(rehearsal.SWEEP_BEFORE_COMMIT,), rehearsal_dir=folder)


def _reach(settings: Settings, wait: float) -> threading.Thread:
    """A process (a thread here) reaching the sweep's hold point; still alive after
    ``wait`` seconds when it stopped there."""
    thread = threading.Thread(
        target=rehearsal.hold, args=(settings, rehearsal.SWEEP_BEFORE_COMMIT), daemon=True
    )
    thread.start()
    thread.join(timeout=wait)
    return thread


def test_the_first_process_holds_and_a_second_armed_alike_goes_on(tmp_path: Path) -> None:
    settings = _armed(tmp_path / "held")
    first = _reach(settings, 0.5)
    assert first.is_alive(), "the first to reach the point stops there"
    assert [p.name for p in (tmp_path / "held").glob(f"{rehearsal.SWEEP_BEFORE_COMMIT}.*")]
    # The same point again (another worker retrying the job): it returns at once.
    second = _reach(settings, 5)
    assert not second.is_alive(), "a second process stopped at a point already held"


def test_removing_the_claim_arms_the_point_again(tmp_path: Path) -> None:
    held = tmp_path / "held"
    settings = _armed(held)
    _reach(settings, 0.5)
    for marker in held.glob("*"):
        marker.unlink()
    again = _reach(settings, 0.5)
    assert again.is_alive()


def test_a_point_not_armed_never_holds(tmp_path: Path) -> None:
    rehearsal.hold(_armed(tmp_path), rehearsal.SEND_BEFORE_RECORD)
    assert not list(tmp_path.glob("*"))
