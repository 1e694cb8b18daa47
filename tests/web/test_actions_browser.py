"""A manager records a corrective action for a pattern of the demo in a real browser."""

from __future__ import annotations

from amends.demo.load import parse_sign_ins
from tests.conftest import DemoServer
from tests.web import browsing
from tests.web.test_browser import browser, pytestmark  # noqa: F401  (fixture and skips)


def test_a_manager_adds_a_corrective_action_on_a_pattern_page_and_moves_it_on(
    demo_server: DemoServer,
    browser: object,  # noqa: F811
) -> None:
    sign_ins = parse_sign_ins(demo_server.printed)
    manager = sign_ins.rows[1]
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    browsing.sign_in(page, demo_server.base + "/patterns", manager.email, sign_ins.password)
    pattern_id, row = browsing.add_a_corrective_action(page, "Couriers hand parcels over in person")
    assert row.get_attribute("data-status") == "planned"
    row.locator("form.action-status button[value=in_progress]").click()
    page.wait_for_url(f"**/patterns/{pattern_id}")
    row = page.locator("table.actions tr", has_text="Couriers hand parcels over in person")
    assert row.get_attribute("data-status") == "in_progress"

    page.goto(demo_server.base + "/actions")
    listed = page.locator("table.actions tr", has_text="Couriers hand parcels over in person")
    assert f"P-{pattern_id}" in listed.inner_text()
    context.close()
