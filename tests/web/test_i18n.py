"""Every interface string is translated into Thai, Slovak and Greek, and every stored
vocabulary value has an English label.

The strings are extracted from the sources at test time (the same extraction as
``scripts/i18n.py``), so a new ``_("...")`` without translations fails here with
the list of what is missing. To fix: ``.venv/bin/python scripts/i18n.py extract``,
then ``update``, fill the msgstr entries, and ``check``.
"""

from __future__ import annotations

import importlib.util
import sys
from enum import StrEnum
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog

from amends.cases.rules import (
    CaseState,
    Category,
    EventKind,
    Origin,
    Outcome,
    Severity,
    Step,
    WaitingOn,
)
from amends.commitments.rules import CommitmentKind, CommitmentStatus
from amends.compensation.rules import CompensationKind, CompensationStatus
from amends.customers.rules import CustomerStatus, Fit, Tier
from amends.messages.abuse import AbuseKind
from amends.messages.rules import Channel, Direction
from amends.patterns.rules import ActionStatus, ChangeKind, PatternStatus, Verdict
from amends.text.languages import SPOKEN
from amends.web.i18n import LOCALE_DIR, translations
from amends.web.vocabulary import VOCABULARY

ROOT = Path(__file__).resolve().parents[2]
FIX = "run `.venv/bin/python scripts/i18n.py update`, translate, then `... check`"


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("amends_i18n_tool", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture(scope="module")
def sources() -> Catalog:
    catalog: Catalog = tool.extract()
    return catalog


def _listing(gaps: list[object]) -> str:
    return "\n".join(f"  {gap}" for gap in gaps)


@pytest.mark.slow
def test_extraction_finds_templates_python_and_vocabulary(sources: Catalog) -> None:
    ids = {message.id for message in tool.messages(sources)}
    assert "Sign in" in ids  # people/templates/signin.html
    assert "The email or password is not right." in ids  # people/pages.py, .gettext(...)
    assert "following_up" in ids  # web/vocabulary.py, N_(...)
    assert set(VOCABULARY) <= ids


@pytest.mark.parametrize("language", ["th", "sk", "el"])
def test_every_interface_string_is_translated(sources: Catalog, language: str) -> None:
    gaps = tool.gaps(language, tool.messages(sources))
    assert not gaps, f"{len(gaps)} {language} catalog entries need work ({FIX}):\n" + _listing(gaps)


def test_every_vocabulary_value_has_an_english_label(sources: Catalog) -> None:
    gaps = tool.gaps("en", tool.vocabulary(sources))
    assert not gaps, f"English labels missing ({FIX}):\n" + _listing(gaps)


ENUMS: tuple[type[StrEnum], ...] = (
    Step,
    CaseState,
    Severity,
    Category,
    Origin,
    Outcome,
    WaitingOn,
    CustomerStatus,
    Tier,
    CommitmentKind,
    CommitmentStatus,
    CompensationKind,
    CompensationStatus,
    Direction,
    Channel,
    PatternStatus,
    ActionStatus,
    ChangeKind,
    Verdict,
    Fit,
    AbuseKind,
    EventKind,  # the case page shows each timeline entry's label
)


def test_vocabulary_lists_every_enum_value_and_event_kind() -> None:
    wanted = {member.value for enum in ENUMS for member in enum}
    missing = sorted(wanted - set(VOCABULARY))
    assert not missing, f"add N_(...) lines to src/amends/web/vocabulary.py for: {missing}"


def test_catalogs_translate_at_run_time() -> None:
    # The one language list and the catalogs agree: each spoken language has its own.
    assert set(SPOKEN) == {"en", "th", "sk", "el"}
    assert all((LOCALE_DIR / code / "LC_MESSAGES" / "amends.po").exists() for code in SPOKEN)
    assert translations("th").gettext("Sign in") == "เข้าสู่ระบบ"
    assert translations("sk").gettext("Sign in") == "Prihlásiť sa"
    assert translations("el").gettext("Sign in") == "Σύνδεση"
    assert translations("en").gettext("Sign in") == "Sign in"
    assert translations("en").gettext("following_up") == "Following up"
    assert translations("sk").gettext("at_risk") == "Ohrozený"
    assert translations("el").gettext("critical") == "Κρίσιμη"
    thai = translations("th").gettext("The email or password is not right.")
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in thai)
