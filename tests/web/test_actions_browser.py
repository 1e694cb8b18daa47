"""A manager records a corrective action for a pattern of the demo in a real browser."""

from __future__ import annotations

import re

from amends.demo.load import parse_sign_ins
from tests.conftest import DemoServer
from tests.web.test_browser import browser, pytestmark  # noqa: F401  (fixture and skips)


def test_a_manager_adds_a_corrective_action_on_a_pattern_page_and_moves_it_on(
    demo_server: DemoServer,
    browser: object,  # noqa: F811
) -> None:
    sign_ins = parse_sign_ins(demo_server.printed)
    manager = sign_ins.rows[1]
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(demo_server.base + "/patterns")
    page.fill("input[name=email]", manager.email)
    page.fill("input[name=password]", sign_ins.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/patterns")

    page.locator("table.patterns a[href^='/patterns/']").first.click()
    page.wait_for_url(re.compile(r".*/patterns/\d+$"))
    pattern_id = page.url.rsplit("/", 1)[1]
    assert page.locator("table.members tbody tr").count() >= 2

    form = page.locator("form.add-action")
    form.locator("textarea[name=description]").fill("Couriers hand parcels over in person")
    form.locator("textarea[name=root_cause]").fill("Drivers were paid per stop, not per delivery")
    form.locator("select[name=change_kind]").select_option("quality_check")
    form.locator("input[name=due_on]").fill("2027-01-15")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/patterns/{pattern_id}")

    row = page.locator("table.actions tr", has_text="Couriers hand parcels over in person")
    assert f"P-{pattern_id}" in row.locator("td.links").inner_text()
    assert row.get_attribute("data-status") == "planned"
    row.locator("form.action-status button[value=in_progress]").click()
    page.wait_for_url(f"**/patterns/{pattern_id}")
    row = page.locator("table.actions tr", has_text="Couriers hand parcels over in person")
    assert row.get_attribute("data-status") == "in_progress"

    page.goto(demo_server.base + "/actions")
    listed = page.locator("table.actions tr", has_text="Couriers hand parcels over in person")
    assert f"P-{pattern_id}" in listed.inner_text()
    context.close()
