"""The demo content hangs together: keys resolve, values are valid, the stories exist;
and a data file with a mistake is refused, naming the file and the field."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from amends.cases.rules import CaseState, Category, Origin, Outcome, Severity
from amends.commitments.occurrences import due_times
from amends.commitments.rules import CommitmentKind
from amends.customers.rules import CustomerStatus, Tier
from amends.demo import content
from amends.people.rules import Role

DEMO = content.shipped()
USERS, CUSTOMERS, COMMITMENTS, CASES = DEMO.users, DEMO.customers, DEMO.commitments, DEMO.cases

# The values the dataclass comments allow; each must also be one the loader accepts.
ROLES = {"owner", "manager", "agent", "employee", "viewer"}
TIERS = {"standard", "gold", "platinum"}
STATUSES = {"active", "at_risk", "lost", "won_back", "parted_ways"}
KINDS = {"deliverable", "recurring_service", "service_level", "callback", "refund"}
CATEGORIES = {
    "missed_commitment",
    "wrong_item",
    "late_delivery",
    "billing",
    "quality",
    "communication",
    "other",
}
SEVERITIES = {"low", "medium", "high", "critical"}
STATES = {
    "new",
    "acknowledged",
    "owned",
    "remedied",
    "compensated",
    "change_explained",
    "following_up",
    "closed",
}
ORIGINS = {"complaint", "breach", "manual"}
OUTCOMES = {"retained", "won_back", "lost", "parted_ways"}
DIRECTIONS = {"inbound", "outbound"}

# What each country's customers look like.
LOCALE = {
    "TH": ("th", {"Asia/Bangkok"}, "THB"),
    "SK": ("sk", {"Europe/Bratislava"}, "EUR"),
    "GR": ("el", {"Europe/Athens"}, "EUR"),
    "GB": ("en", {"Europe/London"}, "GBP"),
    "US": ("en", {"America/New_York", "America/Chicago", "America/Los_Angeles"}, "USD"),
}
SCRIPT = {
    "th": re.compile("[\u0e00-\u0e7f]"),
    "el": re.compile("[\u0370-\u03ff]"),
    "sk": re.compile("[áäčďéíĺľňóôŕšťúýžÁÄČĎÉÍĹĽŇÓÔŔŠŤÚÝŽ]"),
}
EMAIL = re.compile(r"^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.example$")

customers = {c.key: c for c in CUSTOMERS}
commitments = {m.key: m for m in COMMITMENTS}
users = {u.email: u for u in USERS}


def all_texts() -> list[tuple[str, str]]:
    """(language, text) for every piece of customer-facing text in the demo."""
    out = [(c.language, c.name) for c in CUSTOMERS]
    out += [(c.language, p.name) for c in CUSTOMERS for p in c.contacts]
    for m in COMMITMENTS:
        lang = customers[m.customer_key].language
        out.append((lang, m.title))
        out += [(lang, d.note) for d in m.deliveries]
    for k in CASES:
        out.append((customers[k.customer_key].language, k.title))
        out += [(msg.language, msg.subject + " " + msg.text) for msg in k.messages]
    return out


def test_keys_are_unique() -> None:
    for keys in (
        [u.email for u in USERS],
        [c.key for c in CUSTOMERS],
        [m.key for m in COMMITMENTS],
        [p.email for c in CUSTOMERS for p in c.contacts],
    ):
        dupes = [k for k, n in Counter(keys).items() if n > 1]
        assert not dupes


def test_references_resolve() -> None:
    for m in COMMITMENTS:
        assert m.customer_key in customers, m.key
        assert m.owner_email in users, m.key
    for k in CASES:
        assert k.customer_key in customers, k.title
        assert k.owner_email in users, k.title
        if k.commitment_key is not None:
            assert k.commitment_key in commitments, k.title
            assert commitments[k.commitment_key].customer_key == k.customer_key, k.title


def test_counts_and_languages() -> None:
    assert 6 <= len(USERS) <= 8
    assert len(CUSTOMERS) >= 36
    assert len(COMMITMENTS) >= 55
    assert len(CASES) >= 24
    wanted = {"th", "sk", "el", "en"}
    assert {c.language for c in CUSTOMERS} >= wanted
    assert {m.language for k in CASES for m in k.messages} >= wanted
    by_language = Counter(c.language for c in CUSTOMERS)
    assert all(by_language[lang] >= 8 for lang in wanted), by_language


def test_staff() -> None:
    roles = Counter(u.role for u in USERS)
    assert roles["owner"] == 1 and roles["manager"] == 1
    assert 3 <= roles["agent"] <= 4
    assert roles["employee"] == 1 and roles["viewer"] == 1
    assert "owner@amends-demo.example" in users
    assert users["owner@amends-demo.example"].role == "owner"
    assert users["manager@amends-demo.example"].role == "manager"
    for u in USERS:
        assert u.email.endswith("@amends-demo.example")
        if u.role == "agent":
            assert u.email.startswith("agent.")
    assert {u.language for u in USERS if u.role == "agent"} >= {"th", "sk", "el", "en"}


def test_enum_like_values() -> None:
    assert {r.value for r in Role} >= ROLES
    assert {t.value for t in Tier} >= TIERS
    assert {s.value for s in CustomerStatus} >= STATUSES
    assert {k.value for k in CommitmentKind} >= KINDS
    assert {c.value for c in Category} >= CATEGORIES
    assert {s.value for s in Severity} >= SEVERITIES
    assert {s.value for s in CaseState} >= STATES
    assert {o.value for o in Origin} >= ORIGINS
    assert {o.value for o in Outcome} >= OUTCOMES
    assert {u.role for u in USERS} <= ROLES
    assert {c.tier for c in CUSTOMERS} == TIERS
    assert {c.status for c in CUSTOMERS} == STATUSES
    assert {m.kind for m in COMMITMENTS} == KINDS
    assert {k.category for k in CASES} <= CATEGORIES
    assert {k.severity for k in CASES} == SEVERITIES
    assert {k.state for k in CASES} == STATES
    assert {k.origin for k in CASES} == ORIGINS
    assert {k.outcome for k in CASES if k.outcome} == OUTCOMES
    assert {m.direction for k in CASES for m in k.messages} == DIRECTIONS


def test_customers_match_their_country() -> None:
    for c in CUSTOMERS:
        language, zones, currency = LOCALE[c.country]
        assert (c.language, c.currency) == (language, currency), c.key
        assert c.timezone in zones, c.key
        assert c.recurring_value >= 0
        assert 1 <= len(c.contacts) <= 2, c.key
        for p in c.contacts:
            assert EMAIL.match(p.email), p.email
        if c.language in SCRIPT:
            assert SCRIPT[c.language].search(c.name + " ".join(p.name for p in c.contacts))


def test_commitments_are_well_formed() -> None:
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    for m in COMMITMENTS:
        assert m.currency == customers[m.customer_key].currency, m.key
        assert m.value >= 0
        assert all(d.days_ago >= 0 for d in m.deliveries), m.key
        if m.kind == "recurring_service":
            assert m.rrule and m.starts_days_ago and m.due_in_days is None, m.key
            start = now - timedelta(days=m.starts_days_ago)
            assert due_times(start, m.rrule, until=now), m.key
            assert all(d.days_ago <= m.starts_days_ago for d in m.deliveries), m.key
        else:
            assert m.rrule is None and m.starts_days_ago is None, m.key
            assert m.due_in_days is not None, m.key
            if m.due_in_days > 0:
                assert not m.deliveries, m.key


def test_cases_are_well_formed() -> None:
    for k in CASES:
        assert (k.state == "closed") == (k.outcome is not None), k.title
        assert len(k.messages) <= 5, k.title
        if k.origin == "complaint":
            assert k.messages and k.messages[0].direction == "inbound", k.title
        days = [m.days_ago for m in k.messages]
        assert all(0 <= d <= k.opened_days_ago for d in days), k.title
        assert days == sorted(days, reverse=True), k.title
        for m in k.messages:
            assert m.language == customers[k.customer_key].language, k.title
            assert m.subject.strip() and m.text.strip()


def test_text_is_written_in_its_own_script() -> None:
    for lang, text in all_texts():
        assert unicodedata.normalize("NFC", text) == text, text
        if lang == "el":
            assert SCRIPT["el"].search(text), text
            # A word never ends in a medial sigma.
            assert not re.search(r"σ\b", text), text
        if lang == "th":
            assert SCRIPT["th"].search(text), text
    for k in CASES:
        for m in k.messages:
            if m.language == "sk" and len(m.text) > 40:
                assert SCRIPT["sk"].search(m.text), m.text
            if m.language == "en":
                assert not SCRIPT["th"].search(m.text) and not SCRIPT["el"].search(m.text)


def test_the_founding_story_exists() -> None:
    """Website delivered, monthly marketing never started, and the customer asked."""
    never_started = [m for m in COMMITMENTS if m.kind == "recurring_service" and not m.deliveries]
    stories = [
        m
        for m in never_started
        if any(
            c.customer_key == m.customer_key and c.kind == "deliverable" and c.deliveries
            for c in COMMITMENTS
        )
    ]
    assert stories, "no recurring commitment without deliveries beside a delivered website"
    story = stories[0]
    assert story.rrule == "FREQ=MONTHLY;BYMONTHDAY=5"
    assert story.starts_days_ago is not None and story.starts_days_ago >= 90
    asked = [k for k in CASES if k.commitment_key == story.key and k.origin == "complaint"]
    assert asked and asked[0].messages[0].direction == "inbound"


def test_the_other_required_stories_exist() -> None:
    titles = {m.key: m.title.lower() for m in COMMITMENTS}
    engraved = [m for m in COMMITMENTS if "engraved" in titles[m.key] and m.deliveries]
    assert any(m.due_in_days is not None and m.due_in_days < 0 for m in engraved)
    kitchen = [m for m in COMMITMENTS if "kitchen" in titles[m.key] and m.kind == "deliverable"]
    assert any(
        m.due_in_days is not None and m.due_in_days < 0 and not m.deliveries for m in kitchen
    )
    # A report on the 5th of each month with some deliveries and at least one missing.
    fifth = [
        m
        for m in COMMITMENTS
        if m.rrule == "FREQ=MONTHLY;BYMONTHDAY=5"
        and m.deliveries
        and m.starts_days_ago is not None
        and len(m.deliveries) < m.starts_days_ago // 31
    ]
    assert fifth
    assert any(m.kind == "service_level" for m in COMMITMENTS)
    assert any(m.rrule and "WEEKLY" in m.rrule and m.deliveries for m in COMMITMENTS)
    assert any(m.due_in_days is not None and m.due_in_days > 0 for m in COMMITMENTS)


def test_a_complaint_names_the_employee() -> None:
    employee = next(u for u in USERS if u.role == "employee")
    named = [
        k
        for k in CASES
        if any(m.direction == "inbound" and employee.name in m.text for m in k.messages)
    ]
    assert named


def test_a_customer_who_is_not_right() -> None:
    """A missed-commitment complaint about a promise that was in fact delivered on time."""
    found = []
    for k in CASES:
        m = commitments.get(k.commitment_key or "")
        if k.category != "missed_commitment" or m is None or m.due_in_days is None:
            continue
        if any(
            -d.days_ago <= m.due_in_days and d.days_ago > k.opened_days_ago for d in m.deliveries
        ):
            found.append(k)
    assert found


def test_hostile_strings_are_there_to_be_escaped() -> None:
    texts = " ".join(m.text for k in CASES for m in k.messages if m.direction == "inbound")
    assert "<script>" in texts
    assert "C:\\Users\\novak\\Documents\\faktura.pdf" in texts


def test_content_files_stay_small() -> None:
    folder = Path(content.__file__).parent
    for path in folder.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 600, path.name


def test_every_data_file_is_shipped_and_python_holds_no_content() -> None:
    names = {p.name for p in content.DATA.glob("*.toml")}
    assert set(content.ORDER) <= names
    assert {p.name for p in Path(content.__file__).parent.glob("*.py")} == {
        "__init__.py",
        "content.py",
        "load.py",
    }


def copy_data(tmp_path: Path, edit: tuple[str, str, str] | None = None) -> Path:
    """The shipped data files in a folder of their own, with one text replaced in one file."""
    for path in content.DATA.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if edit and path.name == edit[0]:
            assert edit[1] in text
            text = text.replace(edit[1], edit[2], 1)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_bad_enum_value_is_refused_naming_the_file_and_the_field(tmp_path: Path) -> None:
    folder = copy_data(tmp_path, ("stories.toml", 'category = "quality"', 'category = "qualty"'))
    with pytest.raises(content.DemoDataError) as refused:
        content.read(folder)
    message = refused.value.message
    assert message.startswith("stories.toml: cases[")
    assert re.search(r"cases\[\d+\]\.category: Input should be 'missed_commitment'", message)
    assert "(got 'qualty')" in message


def test_a_bad_value_deep_inside_is_located(tmp_path: Path) -> None:
    folder = copy_data(tmp_path, ("outcomes.toml", 'direction = "inbound"', 'direction = "in"'))
    with pytest.raises(content.DemoDataError) as refused:
        content.read(folder)
    assert re.match(
        r"outcomes\.toml: cases\[\d+\]\.messages\[0\]\.direction: ", refused.value.message
    )


def test_a_misspelt_field_and_a_dangling_reference_are_refused(tmp_path: Path) -> None:
    folder = copy_data(tmp_path, ("people.toml", "recurring_value =", "recuring_value ="))
    with pytest.raises(
        content.DemoDataError, match=r"people\.toml: customers\[0\]\.recuring_value: Extra"
    ):
        content.read(folder)
    folder = copy_data(
        tmp_path, ("routines.toml", 'owner_email = "agent.', 'owner_email = "nobody.')
    )
    with pytest.raises(
        content.DemoDataError, match=r"routines\.toml: commitments\[\d+\]\.owner_email: no user"
    ):
        content.read(folder)


def test_the_data_files_are_installed_with_the_package() -> None:
    # The loader reads them beside the module: a wheel without them would load nothing.
    from importlib.resources import files

    shipped = files("amends.demo").joinpath("data")
    assert {p.name for p in shipped.iterdir() if p.name.endswith(".toml")} >= set(content.ORDER)
