"""Kill -9 rounds in CI: `amends intake maildir`, `amends intake smtp`, `amends sweep` and
the outbox sender (`amends worker --once`), each killed at random moments ten times
while new work keeps arriving, then run once to the end: nothing lost, nothing
duplicated, nothing stranded, the database whole. bench/durability.py runs the same
rounds fifty times and more (tests/durability/rounds.py is the one implementation)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.durability import rounds

pytestmark = pytest.mark.slow

ROUNDS = 10  # the floor the project promises in CI; the bench runs fifty and more
SEED = 20261204


@pytest.fixture
def place(tmp_path: Path, db_url: str) -> Iterator[rounds.Place]:
    made = rounds.open_place(tmp_path / "rounds", db_url)
    yield made
    made.close()


def passed(result: rounds.Result) -> None:
    summary = result.as_dict()
    assert result.killed >= 1, summary
    assert (result.lost, result.duplicated, result.stranded) == (0, 0, 0), summary
    assert result.stored == result.inputs > 0, summary
    assert result.integrity == "ok", summary


def test_intake_maildir_killed_ten_times_keeps_every_mail_once(place: rounds.Place) -> None:
    result = rounds.maildir_rounds(place, rounds=ROUNDS, per_round=4, seed=SEED)
    passed(result)


def test_intake_smtp_killed_ten_times_loses_no_mail_it_acknowledged(
    place: rounds.Place,
) -> None:
    result = rounds.smtp_rounds(place, rounds=ROUNDS, per_round=3, seed=SEED)
    passed(result)
    assert result.notes["acknowledged"] <= result.inputs


def test_sweep_killed_ten_times_opens_one_case_per_missed_promise(place: rounds.Place) -> None:
    result = rounds.sweep_rounds(place, rounds=ROUNDS, per_round=3, seed=SEED)
    passed(result)
    assert result.notes["breaches_before_deadline"] == 0
    # At least one kill came inside the sweep's transaction, with cases opened.
    assert result.notes["killed_at_hold_point"] >= 1


def test_outbox_sender_killed_ten_times_sends_every_reply_once(place: rounds.Place) -> None:
    result = rounds.outbox_rounds(place, rounds=ROUNDS, per_round=2, seed=SEED)
    passed(result)
    # At least one kill came after the relay took a mail: that reply was settled by a
    # person, from the relay's log, and still reached the relay once.
    assert result.notes["killed_at_hold_point"] >= 1
    assert result.notes["uncertain_marked_sent"] >= 1
