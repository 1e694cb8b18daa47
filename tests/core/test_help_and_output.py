"""What a person reads at the terminal: help that shows flags as flags and required
options as required, and plain output without Python reprs or hard-wrapped drafts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amends.cli import app
from amends.reports.cli import duration
from tests.cases.test_cases_cli import env, run, setup_case

__all__ = ["env"]  # the fixture is shared with the playbook tests

SNAPSHOTS = Path(__file__).parent / "snapshots"
# Rich lays help out to the terminal's width and colours it when it thinks it may:
# pin both so a snapshot is the same on every machine.
HELP_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def help_text(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env=HELP_ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "command",
    [("demo",), ("cases", "handoff"), ("intake", "eml"), ("report",)],
    ids=lambda c: "-".join(c),
)
def test_help_matches_its_snapshot_and_shows_flags_without_a_type(command: tuple[str, ...]) -> None:
    text = help_text(*command)
    assert "<bool>" not in text
    snapshot = SNAPSHOTS / ("help-" + "-".join(command) + ".txt")
    if os.environ.get("AMENDS_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text)
    assert text == snapshot.read_text(), (
        f"help changed; rerun with AMENDS_UPDATE_SNAPSHOTS=1 and review {snapshot}"
    )


def test_handoff_help_marks_the_reason_required() -> None:
    line = next(x for x in help_text("cases", "handoff").splitlines() if "--reason" in x)
    assert line.lstrip("│ ").startswith("*")
    assert "[required]" in line


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (0, "0 min"),
        (45.4, "45 min"),
        (60, "1 h 00 min"),
        (185, "3 h 05 min"),
        (1439, "23 h 59 min"),
        (1440, "1 d 0 h"),
        (4525, "3 d 3 h"),
        (None, "-"),
    ],
)
def test_durations_read_as_spoken(minutes: float | None, said: str) -> None:
    assert duration(minutes) == said


def test_report_is_a_table_without_python_reprs(env: None) -> None:
    case_id = setup_case(env)
    for step in (["own", "--as", "lucia@example.com"], ["remedy", "--note", "poslaná"]):
        assert run("cases", "act", str(case_id), *step, "--call", "Called the customer.")[0] == 0
    assert (
        run(
            "cases",
            "act",
            str(case_id),
            "close",
            "--outcome",
            "won_back",
            "--call",
            "Called the customer.",
        )[0]
        == 0
    )
    code, out, _ = run("report")
    assert code == 0
    assert "{" not in out and "'" not in out
    outcome_rows = [line for line in out.splitlines() if "won_back" in line]
    assert outcome_rows and "100 %" in outcome_rows[0]
    assert " min" in out or " h" in out or " d " in out
    code, out, _ = run("report", "--json")
    assert code == 0 and out.startswith("{")  # --json is unchanged


def test_intake_eml_prints_a_line_per_mail(env: None, tmp_path: Path) -> None:
    setup_case(env)
    mail = Path(__file__).parents[1] / "data" / "mail"
    files = [mail / "th_gmail_reply_alternative.eml", mail / "loop_x_autoreply.eml"]
    code, out, _ = run("intake", "eml", *map(str, files))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    stored = next(x for x in lines if x.startswith(str(files[0])))
    assert stored.split()[1:] == ["stored", stored.split()[2], "th"]
    assert stored.split()[2].startswith("C-")
    ignored = next(x for x in lines if x.startswith(str(files[1])))
    assert ignored.split()[1:3] == ["ignored", "-"]


def test_coach_draft_keeps_paragraphs_and_does_not_wrap(env: None) -> None:
    case_id = setup_case(env)
    result = CliRunner().invoke(
        app, ["coach", "draft", "--case", str(case_id), "--step", "apology"], env={"COLUMNS": "30"}
    )
    assert result.exit_code == 0, result.output
    paragraphs = result.stdout.strip().split("\n\n")
    assert len(paragraphs) >= 2
    # The middle paragraph is one long sentence: at 30 columns a wrapped print breaks it.
    assert max(len(p) for p in paragraphs) > 30
    assert all("\n" not in p for p in paragraphs)


def test_times_are_shown_in_the_workspace_timezone_with_their_offset() -> None:
    from datetime import UTC, datetime

    from amends.console import local_time

    moment = datetime(2026, 12, 3, 9, 5, tzinfo=UTC)
    assert local_time(moment, "Asia/Bangkok") == "2026-12-03 16:05 +07:00"
    assert local_time(moment, "America/New_York") == "2026-12-03 04:05 -05:00"
    # SQLite hands stored times back without a zone; they are UTC.
    assert local_time(moment.replace(tzinfo=None), "Europe/Bratislava") == "2026-12-03 10:05 +01:00"
    assert local_time("2026-07-01T12:00:00+00:00", "Europe/Athens") == "2026-07-01 15:00 +03:00"
