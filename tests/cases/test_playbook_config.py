from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from amends.cases.rules import Category, Severity, Step
from amends.playbook import policy as playbook
from amends.playbook.policy import PlaybookError


def test_default_playbook_loads() -> None:
    book = playbook.parse(playbook.DEFAULT_PATH.read_text(), workspace_timezone="Asia/Bangkok")
    assert book.calendar.timezone == "Asia/Bangkok"
    high = book.rule(Severity.HIGH, Category.OTHER)
    assert high.targets.acknowledge == timedelta(hours=1)
    assert Step.FOLLOW_UP in high.required
    low_missed = book.rule(Severity.LOW, Category.MISSED_COMMITMENT)
    assert Step.EXPLAIN_CHANGE in low_missed.required  # the category adds a step
    assert Step.FOLLOW_UP in book.rule(Severity.HIGH, Category.MISSED_COMMITMENT).required


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("acknowledge = 60, remedy = 960", "acknowledge = -5, remedy = 960"),
            "[severity.low.sla] acknowledge must be a positive number",
        ),
        (
            ('required = ["acknowledge", "own", "remedy"]', 'required = ["acknowledge", "grovel"]'),
            "unknown step(s) grovel",
        ),
        (('mon = "09:00-17:00"', 'mon = "nine-five"'), "not like 09:00-17:00"),
        (("[compensation]", "[compensaton]"), "unknown section(s) compensaton"),
        (('timezone = "workspace"', 'timezone = "Mars/Base"'), "not an IANA name"),
        (("holidays = []", 'holidays = ["2026-13-40"]'), "is not YYYY-MM-DD"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    text = playbook.DEFAULT_PATH.read_text()
    assert change[0] in text
    (tmp_path / "playbook.toml").write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(PlaybookError) as caught:
        playbook.load(tmp_path, workspace_timezone="UTC")
    assert message in str(caught.value)
    assert "playbook.toml" in str(caught.value)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "playbook.toml").write_text("[severity.low\n")
    with pytest.raises(PlaybookError, match="not valid TOML"):
        playbook.load(tmp_path, workspace_timezone="UTC")
