"""Groups of tests that need something outside Python, and the line that ends a run.

A skipped group is easy to miss in pytest's summary ("312 passed, 9 skipped" reads as
"all good"), so the run ends with one line naming every skipped group, why, and how to
install what it needs. In CI (``CI=true``) a skipped group that CI is meant to run fails
the run: CI installing Chromium or Dovecot and then not using them would go unnoticed.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

import pytest

CLOSING_LINE_PREFIX = "skipped groups:"


@dataclass(frozen=True)
class Group:
    label: str
    install: str
    in_ci: bool  # .ci/run installs what it needs, so a skip there is a broken setup


GROUPS = {
    "browser": Group("browser tests", "apt-get install chromium fonts-thai-tlwg", in_ci=True),
    "imap": Group("IMAP tests", "apt-get install dovecot-imapd", in_ci=True),
    # .ci/run tests on SQLite alone where PostgreSQL is not installed, by design.
    "postgres": Group(
        "PostgreSQL tests",
        "set AMENDS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        in_ci=False,
    ),
}


def reason(group: str, why: str) -> str:
    """The skip reason for ``group``; the closing line finds the group again from it."""
    g = GROUPS[group]
    return f"{g.label} skipped: {why} — {g.install}"


def needs(group: str, *, missing: bool, why: str) -> pytest.MarkDecorator:
    """Skip the marked tests when what ``group`` needs is ``missing``."""
    return pytest.mark.skipif(missing, reason=reason(group, why))


def _group_of(text: str) -> Group | None:
    for g in GROUPS.values():
        if text.startswith(f"{g.label} skipped:"):
            return g
    return None


# One pytest process is one run; the hooks below fill this and the end of the run reads it.
_skips: Counter[str] = Counter()


def _record(report: pytest.TestReport | pytest.CollectReport) -> None:
    if report.skipped and isinstance(report.longrepr, tuple):
        _skips[str(report.longrepr[2]).removeprefix("Skipped: ")] += 1


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _record(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _record(report)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _missing_in_ci(skips: Counter[str]) -> list[Group]:
    found = {_group_of(text) for text in skips}
    return [g for g in GROUPS.values() if g in found and g.in_ci]


def closing_line(skips: Counter[str], *, ci: bool) -> str:
    """One line: each skipped group with its count, why, and what to install."""
    if not skips:
        return f"{CLOSING_LINE_PREFIX} none (every test group ran)"
    parts = []
    for text, count in sorted(
        skips.items(), key=lambda item: (_group_of(item[0]) is None, item[0])
    ):
        tests = "test" if count == 1 else "tests"
        parts.append(
            f"{text} ({count} {tests})" if _group_of(text) else f"other: {text} ({count} {tests})"
        )
    line = f"{CLOSING_LINE_PREFIX} " + "; ".join(parts)
    failing = _missing_in_ci(skips)
    if ci and failing:
        labels = ", ".join(g.label for g in failing)
        line += f" — CI=true: failing the run, CI must run the {labels}"
    return line


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _in_ci() and _missing_in_ci(_skips) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    # After pytest's own "N passed, M skipped" line, so this is the last thing printed.
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(closing_line(_skips, ci=_in_ci()), bold=True)
