"""axe-core, run in Debian's Chromium on the inbox, a case, its customer and the profile
page: nothing serious.

axe.min.js is copied from the axe-core npm package (scripts/vendor.py, licence beside it
in tests/web/assets); it is put into the page by the test, never served by the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amends.demo.load import parse_sign_ins
from tests.conftest import DemoServer
from tests.web.test_browser import browser, pytestmark  # noqa: F401 - the shared fixture

AXE = Path(__file__).parent / "assets" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def _violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


def test_the_inbox_a_case_its_customer_and_the_profile_have_no_serious_violation(
    demo_server: DemoServer,
    browser: Any,  # noqa: F811 - the fixture imported above
) -> None:
    sign_ins = parse_sign_ins(demo_server.printed)
    agent = sign_ins.for_language("th")
    # The page's own CSP forbids inline scripts; only the test's axe needs to get past it.
    context = browser.new_context(locale="th-TH", bypass_csp=True)
    page = context.new_page()
    page.goto(demo_server.base + "/signin")
    page.fill("input[name=email]", agent.email)
    page.fill("input[name=password]", sign_ins.password)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url("**/cases")
    problems = {"inbox": _violations(page)}
    case = page.locator("main a[href^='/cases/']").first.get_attribute("href")
    page.goto(demo_server.base + str(case))
    problems["case"] = _violations(page)
    customer = page.locator("main a[href^='/customers/']").first.get_attribute("href")
    for name, path in (("customer", str(customer)), ("profile", "/me")):
        page.goto(demo_server.base + path)
        problems[name] = _violations(page)
    # The check itself sees a critical fault when there is one.
    page.set_content('<html lang="th"><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in {v["id"] for v in _violations(page)}
    context.close()
    assert problems == {"inbox": [], "case": [], "customer": [], "profile": []}, problems
