"""A manager's morning on the demo workspace, in Debian's Chromium, in one go: the
dashboard, the ledger, a new Slovak agent, a delivery, a corrective action and a token
revoked, each done on the pages and checked where it lands (the report command, the
downloaded file, the agent's own browser, the database and the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from amends.demo.load import parse_sign_ins
from tests.conftest import DemoServer
from tests.web import browsing
from tests.web.test_browser import browser, pytestmark  # noqa: F401 - the shared fixture

NOTE = "Report poslaný e-mailom"


def test_a_manager_runs_the_business_from_the_browser(
    demo_server: DemoServer,
    browser: Any,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    db_url = demo_server.env["AMENDS_DATABASE_URL"]
    browsing.rename_a_compensated_customer(db_url)
    sign_ins = parse_sign_ins(demo_server.printed)
    manager = next(r for r in sign_ins.rows if r.role == "manager")
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Signs in, and the dashboard draws its charts beside tables that match the report.
    browsing.sign_in(page, demo_server.base + "/", manager.email, sign_ins.password)
    browsing.charts_are_drawn(page)
    browsing.tables_say_what_the_report_says(page, demo_server)

    # The compensation ledger comes down as CSV with the formula made harmless.
    browsing.the_formula_is_neutralised(browsing.download_the_ledger(page, tmp_path))

    # A Slovak agent with a limit of 100 EUR, who signs in with the link and reads Slovak.
    link = browsing.add_a_person(
        page, "Zuzana Testová", "zuzana.testova@example.com", language="sk", limit="100"
    )
    limits = browsing.query(
        db_url,
        "SELECT amount, currency FROM user_limits JOIN users ON users.id = user_limits.user_id"
        " WHERE users.email = :email",
        email="zuzana.testova@example.com",
    )
    assert [(float(a), c) for a, c in limits] == [(100.0, "EUR")]
    browsing.welcome(browser, link, "sk", tmp_path)

    # A missed occurrence on a customer's page, delivered now: the page and the database.
    commitment = browsing.record_a_missed_delivery(page, NOTE)
    notes = browsing.query(
        db_url, "SELECT note FROM deliveries WHERE commitment_id = :id", id=commitment
    )
    assert (NOTE,) in notes

    # A corrective action for a pattern, linked to it, listed with the others.
    pattern_id, _ = browsing.add_a_corrective_action(page, "Couriers hand parcels over in person")
    page.click("header nav a[href='/actions']")
    listed = page.locator("table.actions tr", has_text="Couriers hand parcels over in person")
    assert f"P-{pattern_id}" in listed.locator("td.links").inner_text()

    # A token for the new agent reads the delivery through the API, until it is revoked.
    token = browsing.create_a_token(
        page, "Zuzana Testová (zuzana.testova@example.com)", "spreadsheet"
    )
    bearer = {"Authorization": f"Bearer {token}"}
    api = demo_server.base + "/api/v1"
    me = httpx.get(api + "/me", headers=bearer)
    assert me.status_code == 200
    assert (me.json()["role"], me.json()["language"]) == ("agent", "sk")
    seen = httpx.get(api + "/deliveries", params={"commitment_id": commitment}, headers=bearer)
    assert seen.status_code == 200
    assert NOTE in [d["note"] for d in seen.json()["items"]]
    browsing.revoke_the_token(page, token)
    assert httpx.get(api + "/me", headers=bearer).status_code == 401
    assert not errors, errors
    context.close()
