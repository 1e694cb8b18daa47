"""Two agents on one case in two browsers, and a case worked with the keyboard alone:
acknowledge, reply, close; axe-core finds nothing serious on the pages it passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text as sql

from amends.cases.rules import Category, Origin, Severity
from amends.customers import service as customers
from amends.db import make_engine, make_session_factory, transaction
from amends.demo.load import DemoSignIns, parse_sign_ins
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.people.rules import OPERATOR
from amends.playbook import policy
from amends.recovery import flows
from amends.recovery.wording import REFUSALS
from amends.web.i18n import translations
from tests.conftest import DemoServer
from tests.web.test_accessibility import _violations
from tests.web.test_browser import browser, pytestmark  # noqa: F401 - the shared fixture

# Waiting on the page's own 5-second beat, never on a sleep.
BEAT_WAIT_MS = 20_000
FIRST = "We are sorry: the double charge is our mistake, and we refund it today."
SECOND = "Sorry for the double charge; it was our error and the refund goes out today."


def _open_case(server: DemoServer, owner_email: str) -> int:
    """A fresh English customer's billing complaint, owned by ``owner_email``."""
    url = server.env["AMENDS_DATABASE_URL"]
    engine = make_engine(url)
    playbook = policy.load(server.home, workspace_timezone="UTC")
    now = datetime.now(UTC) - timedelta(minutes=5)
    with transaction(make_session_factory(engine)) as s:
        owner = s.execute(
            sql("SELECT id FROM users WHERE email = :e"), {"e": owner_email}
        ).scalar_one()
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=now,
            name="Harbour Lane Books",
            language="en",
            timezone="Europe/London",
            currency="GBP",
            recurring_value=Decimal("120"),
            contacts=[
                customers.ContactInput(
                    name="Ada Reed", email="ada@harbour.example", is_primary=True
                )
            ],
        )
        case = flows.open_case(
            s,
            actor=OPERATOR,
            now=now,
            playbook=playbook,
            customer_id=customer.id,
            owner_id=owner,
            title="charged twice for March",
            severity=Severity.LOW,
            category=Category.OTHER,
            origin=Origin.COMPLAINT,
            opened_at=now,
        )
        messages.record_message(
            s,
            actor=OPERATOR,
            now=now,
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            text="You charged my card twice for the March invoice.",
            language="en",
            case_id=case.id,
            playbook=playbook,
        )
        case_id = int(case.id)
    engine.dispose()
    return case_id


def _case_state(server: DemoServer, case_id: int) -> tuple[str, str | None]:
    engine = make_engine(server.env["AMENDS_DATABASE_URL"])
    with engine.connect() as c:
        row = c.execute(sql("SELECT state, outcome FROM cases WHERE id = :i"), {"i": case_id}).one()
    engine.dispose()
    return str(row[0]), row[1]


def _signed_in(chromium: Any, server: DemoServer, sign_ins: DemoSignIns, email: str) -> Any:
    context = chromium.new_context(locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.goto(server.base + "/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", sign_ins.password)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url("**/cases")
    return page


def _user_id(server: DemoServer, email: str) -> int:
    engine = make_engine(server.env["AMENDS_DATABASE_URL"])
    with engine.connect() as c:
        found = c.execute(sql("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar_one()
    engine.dispose()
    return int(found)


def test_two_agents_on_one_case_see_each_other_and_the_second_reads_the_first_reply(
    demo_server: DemoServer,
    browser: Any,  # noqa: F811 - the fixture imported above
) -> None:
    sign_ins = parse_sign_ins(demo_server.printed)
    english, slovak = sign_ins.for_language("en"), sign_ins.for_language("sk")
    case_id = _open_case(demo_server, english.email)
    base = f"{demo_server.base}/cases/{case_id}"
    one = _signed_in(browser, demo_server, sign_ins, english.email)
    two = _signed_in(browser, demo_server, sign_ins, slovak.email)
    one.goto(base)
    two.goto(base)

    # Each sees the other, by the page's own polling.
    one.locator(f'#presence-list li[data-user="{_user_id(demo_server, slovak.email)}"]').wait_for(
        timeout=BEAT_WAIT_MS
    )
    english_id = _user_id(demo_server, english.email)
    two.locator(f'#presence-list li[data-user="{english_id}"]').wait_for(timeout=BEAT_WAIT_MS)
    assert english.name in two.locator("#presence-list").inner_text()

    # The first types: the second sees that they are typing a reply.
    one.locator("#reply-text").press_sequentially(FIRST[:20])
    two.locator(f'#presence-list li.typing[data-user="{english_id}"]').wait_for(
        timeout=BEAT_WAIT_MS
    )
    one.fill("#reply-text", FIRST)
    one.click("form.reply button[type=submit]")
    one.wait_for_url("**done=sent*")

    # The second, whose page predates that reply, is asked to read it first.
    two.fill("#reply-text", SECOND)
    two.click("form.reply button[type=submit]")
    refusal = two.locator('.refusal[data-code="reply-stale"]')
    refusal.wait_for()
    _ = translations(slovak.language).gettext
    assert refusal.inner_text().strip() == _(REFUSALS["reply-stale"]) != REFUSALS["reply-stale"]
    assert FIRST in two.locator("section.newer").inner_text()
    assert two.input_value("#reply-text") == SECOND
    # Having read it, sending again sends.
    two.click("form.reply button[type=submit]")
    two.wait_for_url("**done=sent*")
    texts = two.locator("#messages article.message.outbound .text").all_inner_texts()
    assert texts == [FIRST, SECOND]
    one.context.close()
    two.context.close()


def _focused(page: Any) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? (e.id || e.getAttribute('name') + '=' + e.value) : ''; }"
        )
    )


def test_acknowledge_reply_and_close_with_the_keyboard_alone(
    demo_server: DemoServer,
    browser: Any,  # noqa: F811 - the fixture imported above
) -> None:
    sign_ins = parse_sign_ins(demo_server.printed)
    agent = sign_ins.for_language("en")
    case_id = _open_case(demo_server, agent.email)
    page = _signed_in(browser, demo_server, sign_ins, agent.email)
    page.goto(f"{demo_server.base}/cases/{case_id}")
    keys = page.keyboard

    # "?" lists the shortcuts; Escape closes the list.
    keys.press("?")
    assert page.locator("#keyboard-help").is_visible()
    keys.press("Escape")
    assert not page.locator("#keyboard-help").is_visible()
    # A digit goes to that step of the playbook.
    keys.press("1")
    assert _focused(page) == "step=acknowledge"

    # Acknowledge, in a reply that says so.
    keys.press("r")
    assert _focused(page) == "reply-text"
    keys.type("Thank you for telling us; we are looking into the double charge now.")
    keys.press("Tab")
    assert _focused(page) == "steps=acknowledge"
    keys.press("Space")
    with page.expect_navigation():
        keys.press("Control+Enter")
    assert "done=sent" in page.url
    assert page.locator('li.step.done[data-step="acknowledge"]').count() == 1

    # Reply: own it and say the fix.
    keys.press("r")
    keys.type(FIRST)
    for step in ("own", "remedy"):
        keys.press("Tab")
        assert _focused(page) == f"steps={step}"
        keys.press("Space")
    with page.expect_navigation():
        keys.press("Control+Enter")
    assert "done=sent" in page.url
    assert page.locator("li.step.done").count() == 3
    problems = {"case": _violations(page)}

    # Close, with an outcome.
    keys.press("c")
    assert _focused(page) == "close-outcome"
    keys.press("Tab")
    assert _focused(page) == "close-note"
    keys.type("refunded, customer happy")
    keys.press("Tab")
    with page.expect_navigation():
        keys.press("Enter")
    assert "done=closed" in page.url
    assert _case_state(demo_server, case_id) == ("closed", "retained")
    problems["closed case"] = _violations(page)
    page.goto(demo_server.base + "/settings/replies")
    problems["saved replies"] = _violations(page)
    page.context.close()
    assert problems == {"case": [], "closed case": [], "saved replies": []}, problems
