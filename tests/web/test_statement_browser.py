"""The employee a complaint names gives their statement in a real browser (Debian's
Chromium via Playwright): told on their notifications page, they open the case, read
the complaint about them and record their side; the statement joins the timeline."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from amends.web.i18n import translations
from tests.conftest import DemoServer
from tests.skips import needs

CHROMIUM = shutil.which(os.environ.get("AMENDS_TEST_CHROMIUM", "chromium"))
try:
    import playwright.sync_api as playwright_api
except ImportError:  # the test extras are not installed
    playwright_api = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.slow,  # a real browser against a real server
    needs("browser", missing=CHROMIUM is None, why="chromium not installed"),
    needs("browser", missing=playwright_api is None, why="playwright not installed"),
]

# The demo's technician, named in a Slovak complaint ("váš technik Tomáš Baláž ...").
EMPLOYEE = "employee.tomas@amends-demo.example"
STATEMENT = "Zákazníčka sa pýtala na cenu; odpovedal som príliš ostro. Mrzí ma to."


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless=new", "--disable-gpu", "--no-first-run"],
        )
        yield instance
        instance.close()


def test_the_named_employee_records_their_statement_in_the_browser(
    demo_server: DemoServer, browser: object, tmp_path: Path
) -> None:
    _, password = demo_server.sign_in()
    _ = translations("sk").gettext  # Tomáš reads Slovak
    page = browser.new_page(locale="sk-SK")  # type: ignore[attr-defined]
    page.goto(demo_server.base + "/notifications")
    page.fill("input[name=email]", EMPLOYEE)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/notifications")

    # Told that a complaint names him, he opens its case from the notification.
    notice = page.locator("li.notice").filter(has=page.locator(".kind-named_in_complaint"))
    assert notice.count() == 1
    notice.locator("form:has(input[name=then]) button").click()
    page.wait_for_url("**/cases/*")
    assert "Tomáš Baláž na mňa" in page.locator("article.message").first.inner_text()
    me = page.locator(f"li.participant[data-user='{EMPLOYEE}']")
    assert me.get_attribute("data-statement") == "pending"
    assert page.locator("form.waiver-form").count() == 0  # a waiver is a manager's

    page.fill("#statement-text", STATEMENT)
    page.click("form.statement-form button[type=submit]")
    page.wait_for_url("**done=statement*")
    assert page.locator("p.result").inner_text().strip() == _("Your statement is recorded.")
    assert me.get_attribute("data-statement") == "recorded"
    assert STATEMENT in me.locator("blockquote.statement").inner_text()
    event = page.locator('ol.timeline li[data-kind="statement_recorded"]')
    assert event.count() == 1 and STATEMENT in event.inner_text()
    assert _("statement_recorded") in event.inner_text()
    page.screenshot(path=str(tmp_path / "statement.png"), full_page=True)
    page.context.close()  # type: ignore[attr-defined]
