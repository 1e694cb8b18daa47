"""A run ends with one line naming each skipped group and how to install what it needs;
with CI=true a group CI is meant to run must not be skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests import skips

ROOT = Path(__file__).resolve().parents[2]


def run_browser_tests(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    """The browser tests in a child pytest whose PATH holds no chromium."""
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CI", "AMENDS_TEST_CHROMIUM", "AMENDS_TEST_POSTGRES_URL", "PYTEST_ADDOPTS"}
    }
    env["PATH"] = str(empty)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/web/test_browser.py", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_hidden_chromium_is_named_in_the_closing_line(tmp_path: Path) -> None:
    result = run_browser_tests(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(skips.CLOSING_LINE_PREFIX)
    assert "browser tests skipped: chromium not installed" in last
    assert "apt-get install chromium fonts-thai-tlwg" in last
    assert "CI=true" not in last


@pytest.mark.slow
def test_with_ci_true_a_skipped_browser_group_fails_the_run(tmp_path: Path) -> None:
    result = run_browser_tests(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert "browser tests skipped: chromium not installed" in last
    assert "CI=true: failing the run, CI must run the browser tests" in last


def test_by_design_and_postgres_skips_do_not_fail_ci() -> None:
    by_design = Counter(
        {
            "SQLite lets one writer in at a time; the race is PostgreSQL's": 1,
            skips.reason("postgres", "AMENDS_TEST_POSTGRES_URL is not set"): 3,
        }
    )
    line = skips.closing_line(by_design, ci=True)
    assert "CI=true" not in line
    assert "other: SQLite lets one writer" in line
    assert "PostgreSQL tests skipped" in line


def test_imap_skip_fails_ci_and_a_clean_run_says_so() -> None:
    imap = Counter({skips.reason("imap", "dovecot not installed"): 5})
    line = skips.closing_line(imap, ci=True)
    assert "apt-get install dovecot-imapd (5 tests)" in line
    assert line.endswith("CI must run the IMAP tests")
    assert skips.closing_line(Counter(), ci=True) == "skipped groups: none (every test group ran)"
