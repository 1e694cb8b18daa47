"""Every message in tests/data/mail parses to exactly what its generator encoded."""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from amends.errors import Quarantined
from amends.intake import Limits, ParsedMessage, parse_message

MAIL = Path(__file__).resolve().parents[1] / "data" / "mail"
EXPECTED: dict[str, dict[str, Any]] = json.loads((MAIL / "expected.json").read_text("utf-8"))


def _observed(parsed: ParsedMessage) -> dict[str, Any]:
    """The parsed message in the vocabulary of expected.json."""
    return {
        "subject": parsed.subject,
        "normalised_subject": parsed.normalised_subject,
        "case_ref": parsed.case_ref,
        "new_text": parsed.new_text,
        "quoted_text": parsed.quoted_text,
        "signature": parsed.signature,
        "body_text": parsed.body_text,
        "language": parsed.language,
        "ignore": parsed.ignore_reason.code if parsed.ignore_reason else None,
        "from_address": parsed.from_address,
        "from_name": parsed.from_name,
        "to_addresses": list(parsed.to_addresses),
        "cc_addresses": list(parsed.cc_addresses),
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": list(parsed.references),
        "date": parsed.date.isoformat() if parsed.date else None,
        "charset_used": parsed.charset_used,
        "charset_repaired": parsed.charset_repaired,
        "html_converted": parsed.html_converted,
        "attachments": [a.filename for a in parsed.attachments],
        "attachment_types": [a.content_type for a in parsed.attachments],
        "attachment_sha256": [a.sha256 for a in parsed.attachments],
        "skipped": [[s.filename, s.code] for s in parsed.skipped_attachments],
        "forwarded_subjects": [f.subject for f in parsed.forwarded],
        "forwarded_texts": [f.body_text for f in parsed.forwarded],
        "forwarded_from": [f.from_address for f in parsed.forwarded],
    }


def _options(expected: dict[str, Any]) -> dict[str, Any]:
    options = dict(expected.get("options", {}))
    if "limits" in options:
        options["limits"] = Limits(**options["limits"])
    return options


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message(name: str) -> None:
    expected = EXPECTED[name]
    raw = (MAIL / name).read_bytes()
    if expected["quarantine"] is not None:
        with pytest.raises(Quarantined) as caught:
            parse_message(raw, **_options(expected))
        assert caught.value.code == expected["quarantine"]
        return
    parsed = parse_message(raw, **_options(expected))
    observed = _observed(parsed)
    for key, value in expected.items():
        if key in ("options", "quarantine"):
            continue
        if key == "notes_contain":
            assert set(value) <= set(parsed.notes), parsed.notes
            continue
        assert observed[key] == value, key


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if not e["quarantine"]))
def test_corpus_text_is_nfc_with_unix_line_ends(name: str) -> None:
    parsed = parse_message((MAIL / name).read_bytes(), **_options(EXPECTED[name]))
    for text in (parsed.subject, parsed.body_text, parsed.new_text, parsed.from_name):
        assert unicodedata.is_normalized("NFC", text)
        assert "\r" not in text
        assert "\ufffd" not in text


def test_every_readable_message_pins_subject_text_and_language() -> None:
    for name, expected in EXPECTED.items():
        if expected["quarantine"] is None:
            assert {"subject", "new_text", "language", "attachments", "ignore"} <= set(expected), (
                name
            )


def test_corpus_covers_every_language_and_outcome() -> None:
    languages = {e.get("language") for e in EXPECTED.values()}
    assert {"en", "th", "sk", "cs", "el"} <= languages
    ignores = {e.get("ignore") for e in EXPECTED.values()}
    assert {
        "auto-submitted",
        "auto-reply-header",
        "precedence",
        "mailing-list",
        "null-return-path",
        "bounce-report",
        "own-address",
    } <= ignores
    quarantines = {e["quarantine"] for e in EXPECTED.values()}
    assert {
        "mail-too-deep",
        "mail-too-many-parts",
        "mail-header-too-large",
        "mail-too-large",
        "mail-no-headers",
    } <= quarantines


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", MAIL / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_corpus_matches_its_generator() -> None:
    cases = _generator().CASES
    assert sorted(cases) == sorted(EXPECTED)
    for name, (raw, expected) in cases.items():
        assert (MAIL / name).read_bytes() == raw, f"{name}: rerun make_corpus.py"
        assert json.loads(json.dumps(expected)) == EXPECTED[name], name
