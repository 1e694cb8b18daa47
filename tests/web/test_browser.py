"""A person's path through the demo in a real browser (Debian's Chromium via Playwright)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from amends.demo.load import parse_sign_ins
from tests.conftest import DemoServer
from tests.skips import needs
from tests.web import browsing

# Found on PATH (Debian's /usr/bin/chromium), so hiding it from PATH skips this group.
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


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--headless=new",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


def test_sign_in_list_and_open_a_thai_case(
    demo_server: DemoServer, browser: object, tmp_path: Path
) -> None:
    email, password = demo_server.sign_in()
    page = browser.new_page(locale="en-GB")  # type: ignore[attr-defined]
    page.goto(demo_server.base + "/cases/1")
    assert "/signin" in page.url  # pages need a signed-in user

    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/1")
    assert page.locator("h1").inner_text().startswith("C-1")

    page.goto(demo_server.base + "/cases?scope=all&state=any")
    rows = page.locator("table.cases tbody tr")
    assert rows.count() >= 20

    # Find a case whose thread is in Thai and check the text renders as Thai.
    links = [rows.nth(i).locator("a").first.get_attribute("href") for i in range(rows.count())]
    for href in links:
        page.goto(demo_server.base + str(href))
        thai = page.locator('article.message[lang="th"]')
        if thai.count():
            text = thai.first.locator(".text").inner_text()
            assert any("\u0e00" <= ch <= "\u0e7f" for ch in text)
            page.screenshot(path=str(tmp_path / "thai-case.png"), full_page=True)
            break
    else:
        pytest.fail("no case with a Thai message in the demo")

    # From that Thai case to its customer, and on to what the customer expects of us.
    page.click('dd a[href^="/customers/"]')
    page.wait_for_url("**/customers/*")
    page.click('a[href$="/expectations"]')
    page.wait_for_url("**/customers/*/expectations")
    assert page.locator("table.occurrences .mark").count() >= 1

    # A Thai customer whose monthly promise has a history: kept, late or missed months.
    page.goto(demo_server.base + "/cases?scope=all&state=any")
    customers = {
        str(a.get_attribute("href"))
        for a in page.locator('table.cases a[href^="/customers/"]').all()
    }
    for href in sorted(customers):
        page.goto(demo_server.base + href + "/expectations")
        heading = page.locator("h1").inner_text()
        shown = set(
            page.locator("table.occurrences .mark").evaluate_all("ms => ms.map(m => m.className)")
        )
        thai = any("\u0e00" <= ch <= "\u0e7f" for ch in heading)
        if thai and shown & {"mark mark-on_time", "mark mark-late", "mark mark-missed"}:
            break
    else:
        pytest.fail("no Thai customer with a promise history in the demo")
    page.screenshot(path=str(tmp_path / "thai-expectations.png"), full_page=True)
    assert "FREQ=" not in page.locator("body").inner_text()  # schedules are said in words

    # Sign out through the form (CSRF-protected) and land on the sign-in page.
    page.click("form.signout button")
    page.wait_for_url("**/signin")
    if os.environ.get("AMENDS_KEEP_SCREENSHOTS"):
        keep = Path(os.environ["AMENDS_KEEP_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        for shot in ("thai-case.png", "thai-expectations.png"):
            shutil.copy(tmp_path / shot, keep / shot)


def test_each_language_agent_signs_in_from_the_printed_table_and_sees_the_inbox_in_it(
    demo_server: DemoServer, browser: object, tmp_path: Path
) -> None:
    sign_ins = parse_sign_ins(demo_server.printed)
    assert [r.role for r in sign_ins.rows[:2]] == ["owner", "manager"]
    assert {r.language for r in sign_ins.rows if r.role == "agent"} == {"th", "sk", "el", "en"}
    # Start from the languages least like English: a fallback to English shows at once.
    for language in ("th", "sk", "el", "en"):
        agent = sign_ins.for_language(language)
        # A browser asking for English: the agent's own language must win.
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(demo_server.base + "/cases?open=true")
        page.fill("input[name=email]", agent.email)
        page.fill("input[name=password]", sign_ins.password)
        page.click("button[type=submit]")
        page.wait_for_url("**/cases?open=true")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("header.top nav a").first.inner_text() == browsing.OPEN_CASES[language]
        banner = page.locator(".demo-banner").inner_text()
        assert agent.name in banner and agent.email in banner
        assert page.locator("table.cases tbody tr").count() >= 1
        if language == "th":
            assert "พื้นที่ทำงานสาธิต" in banner  # "demo workspace", in Thai
        page.screenshot(path=str(tmp_path / f"inbox-{language}.png"), full_page=True)
        context.close()
    if os.environ.get("AMENDS_KEEP_SCREENSHOTS"):
        keep = Path(os.environ["AMENDS_KEEP_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        for language in ("th", "sk", "el", "en"):
            shutil.copy(tmp_path / f"inbox-{language}.png", keep / f"inbox-{language}.png")


def test_api_reference_draws_its_operations_with_no_other_host_reachable(
    demo_server: DemoServer, browser: object
) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    elsewhere: list[str] = []

    def only_this_server(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(demo_server.base + "/"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            elsewhere.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", only_this_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(demo_server.base + "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/cases" in paths
    assert len(paths) > 20
    assert elsewhere == []
    assert errors == []
    context.close()


def test_a_manager_adds_a_slovak_agent_who_signs_in_with_the_link_and_a_revoked_token_fails(
    demo_server: DemoServer, browser: object, tmp_path: Path
) -> None:
    import httpx

    sign_ins = parse_sign_ins(demo_server.printed)
    manager = sign_ins.rows[1]
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    browsing.sign_in(page, demo_server.base + "/settings/people", manager.email, sign_ins.password)
    link = browsing.add_a_person(
        page, "Zuzana Testová", "zuzana.testova@example.com", language="sk", limit="100"
    )

    # A token for the new agent works until the manager revokes it on the same page.
    token = browsing.create_a_token(
        page, "Zuzana Testová (zuzana.testova@example.com)", "spreadsheet"
    )
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(demo_server.base + "/api/v1/me", headers=bearer).status_code == 200
    browsing.revoke_the_token(page, token)
    assert httpx.get(demo_server.base + "/api/v1/me", headers=bearer).status_code == 401
    context.close()

    browsing.welcome(browser, link, "sk", tmp_path)
