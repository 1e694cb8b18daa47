"""Every page of the agent's workspace, in each interface language, as PNG files.

    make screenshots            # or: .venv/bin/python scripts/screenshots.py [OUT]

Makes a demo workspace in a temporary folder (`amends demo --no-serve`), serves it on a
free loopback port and drives Debian's Chromium through Playwright: the sign-in page, the
inbox, a case, its customer, the patterns, the notifications, the public complaint form
and an error page, in en, th, sk and el. The files land in ``screenshots/`` (not
committed) as ``<language>-<page>.png``, for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from amends.demo.load import read_sign_in
from amends.text.languages import SPOKEN

ROOT = Path(__file__).resolve().parent.parent
AMENDS = str(Path(sys.executable).with_name("amends"))
CHROMIUM = shutil.which(os.environ.get("AMENDS_TEST_CHROMIUM", "chromium")) or "/usr/bin/chromium"
BROWSER_LOCALES = {"en": "en-GB", "th": "th-TH", "sk": "sk-SK", "el": "el-GR"}
VIEWPORT = {"width": 1280, "height": 900}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)  # a real server process starting up
    raise SystemExit("amends serve did not come up")


def _shoot(page: Page, out: Path, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    print(f"  {name}.png  {page.url}")


def shoot_all(base: str, email: str, password: str, out: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new", "--disable-gpu"]
        )
        for language in SPOKEN:
            locale = BROWSER_LOCALES.get(language, language)
            # A visitor first: the browser's language decides.
            visitor = browser.new_context(locale=locale, viewport=VIEWPORT)
            page = visitor.new_page()
            page.goto(base + "/signin")
            _shoot(page, out, f"{language}-signin")
            page.goto(base + "/complaint")
            _shoot(page, out, f"{language}-complaint")
            visitor.close()

            context = browser.new_context(locale=locale, viewport=VIEWPORT)
            page = context.new_page()
            page.goto(base + "/signin")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", password)
            page.click("form[action='/signin'] button[type=submit]")
            # Owners and managers land on their dashboard, everyone else on the inbox.
            page.wait_for_url(lambda url: "/signin" not in url)
            # The user's language, chosen with the switcher every page carries.
            page.select_option("#ui-language", language)
            page.click("form.language button[type=submit]")
            page.wait_for_load_state()
            # The owner signs in here and has no open case of their own: everyone's.
            page.goto(base + "/cases?scope=all")
            _shoot(page, out, f"{language}-inbox")
            first_case = page.locator("main a[href^='/cases/']").first
            href = first_case.get_attribute("href") if first_case.count() else "/cases/1"
            page.goto(base + str(href))
            _shoot(page, out, f"{language}-case")
            customer = page.locator("main a[href^='/customers/']").first
            page.goto(base + str(customer.get_attribute("href") or "/customers/1"))
            _shoot(page, out, f"{language}-customer")
            page.goto(base + "/patterns")
            _shoot(page, out, f"{language}-patterns")
            page.goto(base + "/notifications")
            _shoot(page, out, f"{language}-notifications")
            page.goto(base + "/cases?scope=team")
            _shoot(page, out, f"{language}-inbox-team")
            page.goto(base + "/settings/people")
            _shoot(page, out, f"{language}-settings-people")
            page.goto(base + "/outbox")
            _shoot(page, out, f"{language}-outbox")
            # The manager's side.
            for path, name in (
                ("/", "dashboard"),
                ("/reports", "report-recovery"),
                ("/reports/compensation", "report-compensation"),
                ("/customers", "customers"),
                ("/commitments", "commitments"),
                ("/themes", "themes"),
                ("/actions", "actions"),
            ):
                page.goto(base + path)
                _shoot(page, out, f"{language}-{name}")
            page.goto(base + "/cases/abc")
            _shoot(page, out, f"{language}-error")
            context.close()
        browser.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="amends-shots-") as tmp:
        home = Path(tmp) / "ws"
        env = dict(os.environ, AMENDS_HOME=str(home))
        env.pop("AMENDS_DATABASE_URL", None)
        subprocess.run([AMENDS, "demo", "--no-serve"], env=env, check=True, capture_output=True)  # noqa: S603
        sign_ins = read_sign_in(home)
        if sign_ins is None:
            raise SystemExit("the demo wrote no sign-in table")
        port = _free_port()
        proc = subprocess.Popen(  # noqa: S603
            [AMENDS, "serve", "--port", str(port), "--no-worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base, proc)
            shoot_all(base, sign_ins.rows[0].email, sign_ins.password, out)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
