"""A translated page says nothing in English that the catalog translates.

Every page of the workspace is rendered from the demo in Thai, Slovak and Greek and read
as a person would (the visible text, not attributes). A catalog entry whose translation
differs from its English msgid must not show up in English. Phrases (two words or more)
are looked for everywhere except in text marked as another language (customers' own
words); single words only where the interface labels things (headings, buttons, table
heads, labels, menus), since a customer's English title may well say "Quality".
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.app import create_app
from amends.cases import clocks
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.demo.load import load, write_sign_in
from amends.web.i18n import LOCALE_DIR
from tests.conftest import DEFAULT_PLAYBOOK, PASSWORD
from tests.web.test_pages import csrf_from

LABELS = {"h1", "h2", "h3", "th", "dt", "label", "button", "option", "legend", "summary", "nav"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


class VisibleText(HTMLParser):
    """The text a reader sees, split into what sits in labels and everything else."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # tag, is it in another language
        self.text: list[str] = []
        self.labels: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "path"}:
            return
        lang = dict(attrs).get("lang")
        foreign = bool(lang) and lang != self.language
        self.stack.append((tag, foreign or any(f for _, f in self.stack[-1:])))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        tags = [t for t, _ in self.stack]
        if any(t in {"script", "style", "title", "svg"} for t in tags):
            return
        if self.stack and self.stack[-1][1]:
            return  # a customer's words, in their language
        self.text.append(data)
        if any(t in LABELS for t in tags):
            self.labels.append(data)


@cache
def leaky_msgids(language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(phrases, single words) of English that the catalog translates differently."""
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / language / "LC_MESSAGES" / "amends.po"
    with Path(path).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    phrases: set[str] = set()
    words: set[str] = set()
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not message.string:
            continue
        if message.string == message.id:
            continue
        for piece in PLACEHOLDER.split(message.id):
            piece = piece.strip(" :;,.?!()—-“”\"'")
            if "_" in piece or not piece:
                continue  # a vocabulary value (stored as "following_up"), never shown raw
            if " " in piece:
                if len(piece) >= 8:
                    phrases.add(piece)
            elif len(piece) >= 5 and piece[0].isupper():
                words.add(piece)
    return tuple(sorted(phrases)), tuple(sorted(words))


def leaks(html: str, language: str) -> list[str]:
    reader = VisibleText(language)
    reader.feed(html)
    text = " ".join(" ".join(reader.text).split())
    labels = " | ".join(" ".join(chunk.split()) for chunk in reader.labels)
    phrases, words = leaky_msgids(language)
    found = [p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
    found += [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", labels)]
    return found


@pytest.fixture
def demo_client(
    settings: Settings, clock: FrozenClock, sessions: sessionmaker[Session], engine: object
) -> TestClient:
    with transaction(sessions) as s:
        load(s, settings=settings, now=clock.now(), password=PASSWORD, playbook=DEFAULT_PLAYBOOK)
    with transaction(sessions) as s:
        clocks.escalate_breaches(s, now=clock.now())
    settings.home.mkdir(parents=True, exist_ok=True)
    write_sign_in(settings.home, PASSWORD)
    return TestClient(create_app(settings, clock=clock, engine=engine))  # type: ignore[arg-type]


@pytest.mark.slow
def test_translated_pages_show_no_english_from_the_catalog(demo_client: TestClient) -> None:
    client = demo_client
    problems: dict[str, list[str]] = {}
    for language in ("th", "sk", "el"):
        visitor = {"Accept-Language": language, "Accept": "text/html"}
        pages = {
            "signin": client.get("/signin", headers=visitor).text,
            "complaint": client.get("/complaint", headers=visitor).text,
        }
        form = client.get("/signin", headers=visitor)
        signed = client.post(
            "/signin",
            data={
                "email": "owner@amends-demo.example",
                "password": PASSWORD,
                "csrf_token": csrf_from(form.text),
                "next": "/cases",
            },
            headers=visitor,
        )
        client.post(
            "/me/language", data={"language": language, "csrf_token": csrf_from(signed.text)}
        )
        inbox = client.get("/cases", headers=visitor).text
        pages["inbox"] = inbox
        case_ids = sorted({int(i) for i in re.findall(r'href="/cases/(\d+)"', inbox)})
        for case_id in case_ids[:6]:
            page = client.get(f"/cases/{case_id}", headers=visitor).text
            pages[f"case {case_id}"] = page
            customer = re.search(r'href="/customers/(\d+)"', page)
            if customer:
                pages[f"customer {customer.group(1)}"] = client.get(
                    f"/customers/{customer.group(1)}", headers=visitor
                ).text
        pages["patterns"] = client.get("/patterns", headers=visitor).text
        pattern_ids = sorted(set(re.findall(r'href="/patterns/(\d+)"', pages["patterns"])))
        assert pattern_ids, "the demo has a pattern to open"
        pages[f"pattern {pattern_ids[0]}"] = client.get(
            f"/patterns/{pattern_ids[0]}", headers=visitor
        ).text
        pages["corrective actions"] = client.get("/actions", headers=visitor).text
        pages["themes"] = client.get("/themes", headers=visitor).text
        pages["notifications"] = client.get("/notifications", headers=visitor).text
        for settings_page in ("/settings/people", "/settings/playbook", "/settings/mail", "/me"):
            pages[settings_page] = client.get(settings_page, headers=visitor).text
        pages["error"] = client.get("/cases/abc", headers=visitor).text
        for name, address in (
            ("dashboard", "/"),
            ("dashboard, last 30 days", "/?period=30"),
            ("recovery report", "/reports"),
            ("compensation ledger", "/reports/compensation"),
            ("customers", "/customers"),
            ("customers, searched", "/customers?q=a&status=active"),
            ("commitments board", "/commitments"),
        ):
            page = client.get(address, headers=visitor)
            assert page.status_code == 200, (address, page.status_code)
            pages[name] = page.text
        assert f'<html lang="{language}">' in pages["inbox"]
        for name, html in pages.items():
            found = leaks(html, language)
            if found:
                problems[f"{language} {name}"] = found
        client.cookies.clear()
    assert not problems, f"English msgids on translated pages: {problems}"


def test_the_check_sees_a_leak() -> None:
    phrases, _ = leaky_msgids("sk")
    english = phrases[0]
    assert english in leaks(f"<p>{english}</p>", "sk")
    assert leaks(f'<p lang="en">{english}</p>', "sk") == []
