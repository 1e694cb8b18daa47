"""A manager on the demo workspace, in Debian's Chromium: the dashboard's charts are
drawn, its tables say what `amends report --json` says, the compensation ledger comes
down as CSV with a formula in a customer's name made harmless, and axe finds nothing
serious on the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amends.demo.load import parse_sign_ins
from tests.conftest import DemoServer
from tests.web import browsing
from tests.web.test_accessibility import _violations
from tests.web.test_browser import browser, pytestmark  # noqa: F401 - the shared fixture


def test_a_manager_sees_the_charts_and_downloads_the_ledger(
    demo_server: DemoServer,
    browser: Any,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    browsing.rename_a_compensated_customer(demo_server.env["AMENDS_DATABASE_URL"])
    sign_ins = parse_sign_ins(demo_server.printed)
    manager = next(r for r in sign_ins.rows if r.role == "manager")
    context = browser.new_context(accept_downloads=True, bypass_csp=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    browsing.sign_in(page, demo_server.base + "/", manager.email, sign_ins.password)
    browsing.charts_are_drawn(page)
    assert not errors, errors
    browsing.tables_say_what_the_report_says(page, demo_server)

    # The page's own CSP stays on for the charts above; axe needs a context without it.
    axe_context = browser.new_context(bypass_csp=True, storage_state=context.storage_state())
    axe_page = axe_context.new_page()
    axe_page.goto(demo_server.base + "/")
    axe_page.wait_for_selector("figure.chart.drawn canvas")
    problems = _violations(axe_page)
    axe_context.close()
    assert problems == [], problems

    rows = browsing.download_the_ledger(page, tmp_path)
    context.close()
    assert rows
    browsing.the_formula_is_neutralised(rows)
