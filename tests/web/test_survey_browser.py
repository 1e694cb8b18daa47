"""A customer answers their survey in a real browser with JavaScript turned off: the page
is in their language (Slovak, whatever the browser's), takes one answer, and a second
visit says it was answered."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from amends import migrate
from amends.cases.rules import Outcome
from amends.db import make_engine, make_session_factory, transaction
from amends.people import service as people
from amends.people.rules import OPERATOR, Role
from amends.surveys import service
from amends.surveys.models import Survey
from amends.web.i18n import translations
from tests.conftest import DEFAULT_PLAYBOOK, serving
from tests.skips import needs
from tests.surveys import helpers

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

SECRET = "browser-survey-secret"


@pytest.fixture
def survey_link(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A Slovak customer's survey after a recovered case, and the server that answers it:
    (the link, the database URL)."""
    home, url = tmp_path / "ws", f"sqlite:///{tmp_path / 'amends.db'}"
    home.mkdir()
    engine = make_engine(url)
    migrate.upgrade(engine)
    now = datetime.now(UTC)
    with transaction(make_session_factory(engine)) as s:
        owner = people.create_user(
            s, email="owner@example.com", name="Olivia Owner", role=Role.OWNER, now=now
        )
        who = helpers.customer(s, now, "sk", email="jan@pekaren.example")
        case = helpers.closed_case(s, now, who, owner.id, Outcome.RETAINED)
        survey = service.send_survey(
            s,
            actor=OPERATOR,
            now=now,
            playbook=DEFAULT_PLAYBOOK,
            mailing=helpers.mailing(SECRET),
            case_id=case.id,
        )
        path, _, _ = helpers.link_in_mail(s, survey.id)
    engine.dispose()
    env = dict(os.environ, AMENDS_HOME=str(home), AMENDS_DATABASE_URL=url, AMENDS_SECRET_KEY=SECRET)
    with serving(env, "--no-worker") as (base, _):
        yield base + path, url


def test_a_customer_answers_the_survey_in_a_browser_without_javascript(
    survey_link: tuple[str, str],
) -> None:
    link, url = survey_link
    sk = translations("sk").gettext
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless=new", "--disable-gpu", "--no-first-run"],
        )
        context = browser.new_context(java_script_enabled=False, locale="en-US")
        page = context.new_page()
        page.goto(link)
        assert page.locator("html").get_attribute("lang") == "sk"
        assert page.locator("h1").inner_text() == sk("How did we do?")
        page.check("input[name=csat][value='5']")
        page.check("input[name=nps][value='10']")
        page.fill("textarea[name=comment]", "Ďakujeme, všetko je už v poriadku.")
        page.click("button[type=submit]")
        assert page.locator("h1").inner_text() == sk("Thank you")
        again = page.goto(link)
        assert again is not None and again.status == 409
        assert page.locator("h1").inner_text() == sk("You have already answered")
        browser.close()
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as s:
        answered = s.execute(select(Survey.csat, Survey.nps, Survey.comment)).one()
    engine.dispose()
    assert tuple(answered) == (5, 10, "Ďakujeme, všetko je už v poriadku.")
