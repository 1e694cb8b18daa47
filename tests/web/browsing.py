"""What a manager does in Chromium on the demo workspace, one step at a time, shared by
the browser tests: each step clicks and types as a person would and checks what the page
then shows. `page` is a Playwright page, `demo` the running demo server."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from amends.db import make_engine
from tests.conftest import AMENDS, DemoServer

HYPERLINK = '=HYPERLINK("http://x","y")'
# What each interface language calls the open-cases inbox in the top navigation.
OPEN_CASES = {
    "en": "Open cases",
    "th": "เคสที่เปิดอยู่",
    "sk": "Otvorené prípady",
    "el": "Ανοιχτές υποθέσεις",
}
# A promise on a customer's page with an occurrence missed and a form to deliver it.
MISSED = "tr[data-commitment]:has(li.occurrence-missed):has(form[action$='/deliveries'])"


def sign_in(page: Any, url: str, email: str, password: str) -> None:
    """Open ``url`` signed out, sign in on the page it sends us to, and land back on it."""
    page.goto(url)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url(url)


def rename_a_compensated_customer(db_url: str) -> None:
    """A customer who was given something is now called a spreadsheet formula."""
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


def _shown(value: Any) -> str:
    return "None" if value is None else str(value)


def charts_are_drawn(page: Any) -> None:
    """Every chart on the dashboard is drawn on a canvas beside its table."""
    page.wait_for_selector("figure.chart.drawn canvas")
    figures = page.locator("figure.chart").count()
    assert figures >= 8
    assert page.locator("figure.chart.drawn canvas").count() == figures


def tables_say_what_the_report_says(page: Any, demo: DemoServer) -> None:
    """The dashboard's tables (all time, every team) hold the numbers of `amends report
    --json` for the same period, run as the real command on the same workspace."""
    made = subprocess.run(
        [AMENDS, "report", "--json"], env=demo.env, check=True, capture_output=True, text=True
    )
    report = json.loads(made.stdout)
    assert _cells(page, "t-ack") == [[str(b["cases"])] for b in report["ack_distribution"]]
    assert _cells(page, "t-weekly") == [
        [str(w["cases"])] + [_shown(w[f"{k}_within_sla_pct"]) for k in ("ack", "remedy", "close")]
        for w in report["sla_by_week"]
    ]
    assert _cells(page, "t-owners") == [
        [str(o["cases"]), _shown(o["handoffs_per_case"]), _shown(o["one_interaction_pct"])]
        for o in report["by_owner"]
    ]
    assert _cells(page, "t-outcomes") == [
        [str(n), _shown(report["outcomes"][k])] for k, n in report["outcome_counts"].items()
    ]
    assert _cells(page, "t-repeats") == [
        [str(report["cases"])],
        [str(report["repeats"])],
        [_shown(report["repeat_pct"])],
    ]
    assert _cells(page, "t-ages") == [[str(a["cases"])] for a in report["open_by_age"]]


def download_the_ledger(page: Any, folder: Path) -> list[dict[str, str]]:
    """From the reports, the compensation ledger as CSV: its rows as a spreadsheet reads them.
    The page's context must accept downloads."""
    page.click("header nav a[href='/reports']")
    page.click("a[href^='/reports/compensation?']")
    with page.expect_download() as waiting:
        page.click("a[href^='/reports/compensation.csv']")
    saved = folder / "ledger.csv"
    waiting.value.save_as(saved)
    return list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))


def the_formula_is_neutralised(rows: list[dict[str, str]]) -> None:
    names = {row["customer"] for row in rows}
    assert "'" + HYPERLINK in names
    assert HYPERLINK not in names


def add_a_person(page: Any, name: str, email: str, language: str, limit: str) -> str:
    """An agent added on the people page, with a compensation limit in euros: the
    one-time link the page shows once."""
    page.click("header nav a[href='/settings/people']")
    form = page.locator("form.add-person")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=email]").fill(email)
    form.locator("select[name=role]").select_option("agent")
    form.locator("select[name=language]").select_option(language)
    form.locator("input[name=limit]").fill(limit)
    form.locator("input[name=currency]").fill("EUR")
    form.locator("button[type=submit]").click()
    link = str(page.locator("#shown-once").input_value())
    assert "/welcome/amw_" in link
    added = page.locator("table.people tr", has_text=email).inner_text()
    assert limit in added and "€" in added
    return link


def welcome(browser: Any, link: str, language: str, folder: Path) -> None:
    """The new person, in a browser of their own that asks for English, opens the link,
    chooses a password and reads the pages in their own language; the link works once."""
    theirs = browser.new_context(locale="en-GB")
    page = theirs.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == language
    page.fill("input[name=password]", "zuzanine heslo 2026")
    page.fill("input[name=repeat]", "zuzanine heslo 2026")
    page.click("form button[type=submit]")
    page.wait_for_url("**/cases**")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("header.top nav a").first.inner_text() == OPEN_CASES[language]
    page.screenshot(path=str(folder / f"welcome-{language}.png"), full_page=True)
    page.goto(link)  # used: it works once
    assert "has expired" in page.locator("main").inner_text()  # said in the browser's language
    theirs.close()


def _a_customer_with_a_missed_occurrence(page: Any) -> None:
    page.click("header nav a[href='/customers']")
    names = page.locator("table.customers a[href^='/customers/'][lang]")
    for index in range(names.count()):
        names.nth(index).click()
        page.wait_for_url(re.compile(r".*/customers/\d+$"))
        if page.locator(MISSED).count():
            return
        page.go_back()
    pytest.fail("no customer in the demo has a missed occurrence to deliver")


def record_a_missed_delivery(page: Any, note: str) -> int:
    """Through the customers list to a promise with a missed occurrence, delivered now on
    its page: the earliest missed occurrence turns delivered (late). The promise's id."""
    _a_customer_with_a_missed_occurrence(page)
    row = page.locator(MISSED).first
    commitment = int(row.get_attribute("data-commitment"))
    marks = row.locator("li.occurrence")
    before = marks.evaluate_all("ms => ms.map(m => m.className)")
    first_missed = before.index("occurrence occurrence-missed")
    row.locator("input[name=note]").fill(note)
    row.locator("form[action$='/deliveries'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/customers/\d+\?done=delivered"))
    assert page.locator("#promises p.result[role=status]").is_visible()
    row = page.locator(f"tr[data-commitment='{commitment}']")
    after = row.locator("li.occurrence").evaluate_all("ms => ms.map(m => m.className)")
    assert after[first_missed] == "occurrence occurrence-late"
    missed = "occurrence occurrence-missed"
    assert after.count(missed) == before.count(missed) - 1
    # "due … · Delivered late · delivered <when>", in the manager's language.
    assert row.locator("li.occurrence").nth(first_missed).inner_text().count("·") == 2
    return commitment


def query(db_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """What the workspace's database holds, read beside the running server."""
    engine = make_engine(db_url)
    with engine.connect() as connection:
        found = [tuple(r) for r in connection.execute(text(sql), params)]
    engine.dispose()
    return found


def add_a_corrective_action(page: Any, description: str) -> tuple[str, Any]:
    """On the first pattern's page, a corrective action for it: the pattern's id and the
    action's row, which links to the pattern."""
    page.click("header nav a[href='/patterns']")
    page.locator("table.patterns a[href^='/patterns/']").first.click()
    page.wait_for_url(re.compile(r".*/patterns/\d+$"))
    pattern_id = str(page.url.rsplit("/", 1)[1])
    assert page.locator("table.members tbody tr").count() >= 2
    form = page.locator("form.add-action")
    form.locator("textarea[name=description]").fill(description)
    form.locator("textarea[name=root_cause]").fill("Drivers were paid per stop, not per delivery")
    form.locator("select[name=change_kind]").select_option("quality_check")
    form.locator("input[name=due_on]").fill("2027-01-15")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/patterns/{pattern_id}")
    row = page.locator("table.actions tr", has_text=description)
    assert f"P-{pattern_id}" in row.locator("td.links").inner_text()
    return pattern_id, row


def create_a_token(page: Any, person: str, purpose: str) -> str:
    """A new API token for ``person`` (the option's label), shown once on the people page."""
    page.click("header nav a[href='/settings/people']")
    tokens = page.locator("form.new-token")
    tokens.locator("select[name=user_id]").select_option(label=person)
    tokens.locator("input[name=name]").fill(purpose)
    tokens.locator("button[type=submit]").click()
    return str(page.locator("#shown-once").input_value())


def revoke_the_token(page: Any, token: str) -> None:
    """Revoked with its button on the people page, which then says so and offers the
    button no more."""
    row = page.locator("table.tokens tr", has_text=token[:10])
    row.locator("form[action$='/revoke'] button").click()
    page.wait_for_url("**/revoke")
    page.locator("p.notice[role=status]", has_text=token[:10]).wait_for()
    assert row.locator("form[action$='/revoke']").count() == 0
