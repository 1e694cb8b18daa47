"""An agent works a case from apology to close in a real browser, in Thai, Greek and
Slovak: one demo server and one Chromium for the three runs.

The demo's owner set a rate for the baht (``[compensation.rates]``) so the Thai agent
has a limit in the customer's currency; without one every baht waits for a manager.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from amends.cases.rules import Category, Origin, Severity
from amends.db import make_engine, make_session_factory, transaction
from amends.demo.load import DemoSignIns, parse_sign_ins
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.people.rules import OPERATOR
from amends.playbook import policy
from amends.recovery import flows
from amends.recovery.wording import FINDING_LABELS, REFUSALS
from amends.web.i18n import translations
from tests.conftest import AMENDS, serving
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


@dataclass(frozen=True)
class Script:
    """What the agent of one language types, and the amounts around their limit."""

    blame: str
    blamed_words: str
    rewrite: str
    within: str
    above: str


SCRIPTS = {
    "th": Script(
        "ขอโทษครับ แต่บริษัทขนส่งส่งของช้า",
        "บริษัทขนส่งส่งของช้า",
        "ขอโทษครับ ความผิดพลาดนี้เป็นของเรา เราจะแก้ไขให้วันนี้",
        "1000",  # the limit is 100 EUR at 0.026 EUR a baht: 3846.15 THB
        "8000",
    ),
    "el": Script(
        "Λυπούμαστε, αλλά η μεταφορική εταιρεία καθυστέρησε.",
        "μεταφορική",
        "Συγγνώμη, το λάθος είναι δικό μας και το διορθώνουμε σήμερα.",
        "40",
        "400",
    ),
    "sk": Script(
        "Prepáčte, ale kuriér meškal.",
        "kuriér meškal",
        "Ospravedlňujem sa, je to naša chyba a ešte dnes to napravíme.",
        "40",
        "400",
    ),
}


COMPLAINTS = {
    "th": "ใบแจ้งหนี้เดือนนี้เรียกเก็บเงินซ้ำสองครั้ง",
    "el": "Μας χρεώσατε δύο φορές το ίδιο τιμολόγιο.",
    "sk": "Tú istú faktúru ste nám strhli dvakrát.",
}


@dataclass
class Workspace:
    base: str
    db: Path
    sign_ins: DemoSignIns


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """`amends demo` with a baht rate, then `amends serve`, shared by the three runs."""
    root = tmp_path_factory.mktemp("workspace")
    home, db = root / "ws", root / "amends.db"
    home.mkdir()
    default = Path(policy.__file__).with_name("default.toml").read_text(encoding="utf-8")
    (home / "playbook.toml").write_text(
        default.replace("# THB = 0.026", "THB = 0.026"), encoding="utf-8"
    )
    url = f"sqlite:///{db}"
    env = dict(os.environ, AMENDS_HOME=str(home), AMENDS_DATABASE_URL=url)
    made = subprocess.run(
        [AMENDS, "demo", "--no-serve"], env=env, check=True, capture_output=True, text=True
    )
    sign_ins = parse_sign_ins(made.stdout)
    _open_overdue_cases(url, home, sign_ins)
    with serving(env) as (base, _):
        yield Workspace(base, db, sign_ins)


def _open_overdue_cases(url: str, home: Path, sign_ins: DemoSignIns) -> None:
    """A billing complaint per language, unanswered for a month: each agent's most urgent
    case (the demo's own cases of some agents are past acknowledging)."""
    engine = make_engine(url)
    playbook = policy.load(home, workspace_timezone="UTC")
    opened = datetime.now(UTC) - timedelta(days=30)
    with transaction(make_session_factory(engine)) as s:
        for language in SCRIPTS:
            owner = s.execute(
                _sql("SELECT id FROM users WHERE email = :e"),
                {"e": sign_ins.for_language(language).email},
            ).scalar_one()
            customer = s.execute(
                _sql(
                    "SELECT c.id FROM customers c WHERE c.language = :l AND NOT EXISTS "
                    "(SELECT 1 FROM cases k WHERE k.customer_id = c.id AND k.state != 'closed')"
                    " ORDER BY c.id LIMIT 1"
                ),
                {"l": language},
            ).scalar_one()
            case = flows.open_case(
                s,
                actor=OPERATOR,
                now=opened,
                playbook=playbook,
                customer_id=customer,
                owner_id=owner,
                title=f"invoice charged twice ({language})",
                severity=Severity.MEDIUM,
                category=Category.OTHER,
                origin=Origin.COMPLAINT,
                opened_at=opened,
            )
            messages.record_message(
                s,
                actor=OPERATOR,
                now=opened,
                direction=Direction.INBOUND,
                channel=Channel.EMAIL,
                text=COMPLAINTS[language],
                language=language,
                case_id=case.id,
                playbook=playbook,
            )
    engine.dispose()


def _sql(text: str) -> object:
    from sqlalchemy import text as sql_text

    return sql_text(text)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless=new", "--disable-gpu", "--no-first-run"],
        )
        yield instance
        instance.close()


def _query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql, args))


def _sign_in(browser: object, ws: Workspace, email: str, target: str) -> object:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(ws.base + target)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", ws.sign_ins.password)
    page.click("button[type=submit]")
    page.wait_for_url("**" + target)
    return page


@pytest.mark.parametrize("language", ["th", "el", "sk"])
def test_an_agent_works_the_most_urgent_case_from_apology_to_close(
    workspace: Workspace, browser: object, language: str, tmp_path: Path
) -> None:
    script = SCRIPTS[language]
    _ = translations(language).gettext
    agent = workspace.sign_ins.for_language(language)
    manager = workspace.sign_ins.rows[1]
    (case_id,) = _query(
        workspace.db,
        "SELECT c.id FROM cases c JOIN users u ON u.id = c.owner_id WHERE u.email = ? "
        "AND c.state != 'closed' AND c.urgency_at IS NOT NULL ORDER BY c.urgency_at, c.id "
        "LIMIT 1",
        agent.email,
    )[0]
    base = f"/cases/{case_id}"
    # The inbox opens on the agent's own open cases, the most urgent first.
    page = _sign_in(browser, workspace, agent.email, "/cases")
    assert page.locator("html").get_attribute("lang") == language  # type: ignore[attr-defined]
    first = page.locator("table.cases tbody tr").first.locator("td.ref a")  # type: ignore[attr-defined]
    assert first.get_attribute("href") == base
    first.click()
    page.wait_for_url("**" + base)  # type: ignore[attr-defined]

    # Acknowledge by phone: the step needs the note of what was said.
    page.fill("#call-note", "called, apologised")  # type: ignore[attr-defined]
    page.click('button[name=step][value="acknowledge"]')  # type: ignore[attr-defined]
    page.wait_for_url("**done=steps*")  # type: ignore[attr-defined]
    assert page.locator('li.step.done[data-step="acknowledge"]').count() == 1  # type: ignore[attr-defined]

    # The coach's draft for the next step, in the customer's language.
    page.click("form.draft button")  # type: ignore[attr-defined]
    page.wait_for_url("**draft=*")  # type: ignore[attr-defined]
    assert page.input_value("#reply-text").strip()  # type: ignore[attr-defined]

    # Blaming the courier is marked while typing, before anything is sent.
    page.fill("#reply-text", script.blame)  # type: ignore[attr-defined]
    mark = page.locator('#coach-findings mark[data-code="blame-third-party"]')  # type: ignore[attr-defined]
    mark.wait_for()
    assert script.blamed_words in mark.inner_text()
    label = page.locator('#coach-findings li[data-code="blame-third-party"] strong').inner_text()  # type: ignore[attr-defined]
    assert label == _(FINDING_LABELS["blame-third-party"]) != FINDING_LABELS["blame-third-party"]
    page.screenshot(path=str(tmp_path / f"coach-{language}.png"), full_page=True)  # type: ignore[attr-defined]

    page.fill("#reply-text", script.rewrite)  # type: ignore[attr-defined]
    page.locator("#coach-findings .coach-clean").wait_for()  # type: ignore[attr-defined]
    page.check('input[name=steps][value="own"]')  # type: ignore[attr-defined]
    page.check('input[name=steps][value="remedy"]')  # type: ignore[attr-defined]
    page.click("form.reply button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**done=sent*")  # type: ignore[attr-defined]
    # One outbox row, on its way out and not held for a decision; the server's own worker
    # may already have claimed it (or sent it) by the time this looks.
    (queued,) = _query(
        workspace.db,
        "SELECT o.status FROM outbox o JOIN messages m ON m.id = o.message_id "
        "WHERE m.case_id = ? AND m.text = ?",
        case_id,
        script.rewrite,
    )
    assert queued[0] in {"pending", "claimed", "sending", "sent"}, queued

    # Within the limit it is granted; above it a manager is asked.
    for amount, result in ((script.within, "granted"), (script.above, "requested")):
        page.fill("#comp-amount", amount)  # type: ignore[attr-defined]
        page.select_option("#comp-kind", "credit")  # type: ignore[attr-defined]
        page.fill("#comp-rationale", "for the double charge")  # type: ignore[attr-defined]
        page.click("form.give button")  # type: ignore[attr-defined]
        page.wait_for_url(f"**done={result}*")  # type: ignore[attr-defined]
    statuses = _query(
        workspace.db, "SELECT amount, status FROM compensations WHERE case_id = ?", case_id
    )
    assert [(Decimal(str(a)), s) for a, s in statuses] == [
        (Decimal(script.within), "granted"),
        (Decimal(script.above), "requested"),
    ]

    # With the request open the case cannot close; the reason is in the agent's language.
    page.select_option("#close-outcome", "retained")  # type: ignore[attr-defined]
    page.click("form.close button")  # type: ignore[attr-defined]
    refusal = page.locator('.refusal[data-code="compensation-pending"]')  # type: ignore[attr-defined]
    assert refusal.inner_text().strip() == _(REFUSALS["compensation-pending"])
    assert _(REFUSALS["compensation-pending"]) != REFUSALS["compensation-pending"]

    # The manager, in a second browser, opens the request from their notifications.
    boss = _sign_in(browser, workspace, manager.email, "/notifications")
    notice = boss.locator("li.notice.unread").filter(  # type: ignore[attr-defined]
        has=boss.locator(".kind-approval_needed"),  # type: ignore[attr-defined]
        has_text=re.compile(rf"C-{case_id}\b"),
    )
    notice.locator("form:has(input[name=then]) button").click()
    boss.wait_for_url("**" + base + "*")  # type: ignore[attr-defined]
    boss.click('form.decision button[value="approve"]')  # type: ignore[attr-defined]
    boss.wait_for_url("**done=approved*")  # type: ignore[attr-defined]
    assert boss.locator("tr[data-status=approved]").count() == 1  # type: ignore[attr-defined]

    # The agent hands the case to the manager, with the reason.
    page.goto(workspace.base + base)  # type: ignore[attr-defined]
    if language == "sk":  # Marek speaks Slovak: colleagues who do come first
        first = page.locator("#handoff-to optgroup").first.locator("option").first  # type: ignore[attr-defined]
        assert first.inner_text().startswith(manager.name)
    ((manager_id,),) = _query(workspace.db, "SELECT id FROM users WHERE email = ?", manager.email)
    page.select_option("#handoff-to", str(manager_id))  # type: ignore[attr-defined]
    page.fill("#handoff-reason", "the refund needs the manager's follow-up")  # type: ignore[attr-defined]
    page.click("form.handoff button")  # type: ignore[attr-defined]
    page.wait_for_url("**done=handoff*")  # type: ignore[attr-defined]
    handoff = page.locator('ol.timeline li[data-kind="handoff"]').last.inner_text()  # type: ignore[attr-defined]
    assert f"{agent.name} → {manager.name}" in handoff

    # The new owner closes it with an outcome.
    boss.goto(workspace.base + base)  # type: ignore[attr-defined]
    boss.select_option("#close-outcome", "retained")  # type: ignore[attr-defined]
    boss.click("form.close button")  # type: ignore[attr-defined]
    boss.wait_for_url("**done=closed*")  # type: ignore[attr-defined]
    assert _query(workspace.db, "SELECT state, outcome FROM cases WHERE id = ?", case_id) == [
        ("closed", "retained")
    ]
    steps = boss.locator('ol.timeline li[data-kind="step"]').all_inner_texts()  # type: ignore[attr-defined]
    closing = translations(manager.language).gettext("close")  # the manager reads Slovak
    assert any(closing in line for line in steps)
    if os.environ.get("AMENDS_KEEP_SCREENSHOTS"):
        keep = Path(os.environ["AMENDS_KEEP_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / f"coach-{language}.png", keep / f"coach-{language}.png")
    page.context.close()  # type: ignore[attr-defined]
    boss.context.close()  # type: ignore[attr-defined]
