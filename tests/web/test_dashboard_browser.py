"""A manager on the demo workspace, in Debian's Chromium: the dashboard's charts are
drawn, its tables say what `amends report --json` says, the compensation ledger comes
down as CSV with a formula in a customer's name made harmless, and axe finds nothing
serious on the dashboard."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import text

from amends.db import make_engine
from amends.demo.load import parse_sign_ins
from tests.conftest import AMENDS, DemoServer
from tests.web.test_accessibility import _violations
from tests.web.test_browser import browser, pytestmark  # noqa: F401 - the shared fixture

HYPERLINK = '=HYPERLINK("http://x","y")'


def _rename_a_compensated_customer(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        customer_id = connection.execute(
            text(
                "SELECT cases.customer_id FROM compensations"
                " JOIN cases ON cases.id = compensations.case_id"
                " WHERE compensations.status IN ('granted', 'approved')"
                " AND compensations.kind <> 'none' ORDER BY compensations.id LIMIT 1"
            )
        ).scalar_one()
        connection.execute(
            text("UPDATE customers SET name = :name WHERE id = :id"),
            {"name": HYPERLINK, "id": customer_id},
        )
    engine.dispose()


def _cells(page: Any, table_id: str) -> list[list[str]]:
    rows: list[list[str]] = page.evaluate(
        """(id) => Array.from(document.querySelectorAll('#' + id + ' tbody tr'))
            .map(tr => Array.from(tr.querySelectorAll('[data-value]'))
            .map(td => td.getAttribute('data-value')))
            .filter(r => r.length)""",
        table_id,
    )
    return rows


def test_a_manager_sees_the_charts_and_downloads_the_ledger(
    demo_server: DemoServer,
    browser: Any,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    _rename_a_compensated_customer(demo_server.env["AMENDS_DATABASE_URL"])
    sign_ins = parse_sign_ins(demo_server.printed)
    manager = next(r for r in sign_ins.rows if r.role == "manager")
    context = browser.new_context(accept_downloads=True, bypass_csp=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(demo_server.base + "/signin")
    page.fill("input[name=email]", manager.email)
    page.fill("input[name=password]", sign_ins.password)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_selector("figure.chart.drawn canvas")
    assert page.url.rstrip("/") == demo_server.base
    figures = page.locator("figure.chart").count()
    assert figures >= 8
    assert page.locator("figure.chart.drawn canvas").count() == figures
    assert not errors, errors

    made = subprocess.run(
        [AMENDS, "report", "--json"],
        env=demo_server.env,
        check=True,
        capture_output=True,
        text=True,
    )
    report = json.loads(made.stdout)

    def shown(value: Any) -> str:
        return "None" if value is None else str(value)

    assert _cells(page, "t-ack") == [[str(b["cases"])] for b in report["ack_distribution"]]
    assert _cells(page, "t-owners") == [
        [str(o["cases"]), shown(o["handoffs_per_case"]), shown(o["one_interaction_pct"])]
        for o in report["by_owner"]
    ]
    assert _cells(page, "t-outcomes") == [
        [str(n), shown(report["outcomes"][k])] for k, n in report["outcome_counts"].items()
    ]
    assert _cells(page, "t-repeats") == [
        [str(report["cases"])],
        [str(report["repeats"])],
        [shown(report["repeat_pct"])],
    ]
    assert _cells(page, "t-ages") == [[str(a["cases"])] for a in report["open_by_age"]]

    # The page's own CSP stays on for the charts above; axe needs a context without it.
    problems = []
    axe_context = browser.new_context(bypass_csp=True, storage_state=context.storage_state())
    axe_page = axe_context.new_page()
    axe_page.goto(demo_server.base + "/")
    axe_page.wait_for_selector("figure.chart.drawn canvas")
    problems = _violations(axe_page)
    axe_context.close()
    assert problems == [], problems

    page.click("header nav a[href='/reports']")
    page.click("a[href^='/reports/compensation?']")
    with page.expect_download() as waiting:
        page.click("a[href^='/reports/compensation.csv']")
    saved = tmp_path / "ledger.csv"
    waiting.value.save_as(saved)
    context.close()
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows
    assert "'" + HYPERLINK in {row["customer"] for row in rows}
    assert HYPERLINK not in {row["customer"] for row in rows}
