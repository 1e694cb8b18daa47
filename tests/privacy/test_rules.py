"""What erasure replaces in shared text and JSON, without a database."""

from __future__ import annotations

from amends.errors import said
from amends.people.rules import Role
from amends.privacy.rules import (
    MARKER,
    hidden_key,
    may_handle_personal_data,
    needles,
    redact,
    scrub,
)


def test_redact_replaces_every_spelling_of_a_name_whatever_its_case() -> None:
    found = needles(["Μαρία Παπαδοπούλου", "maria@artopoieia.example", "Jo", None])
    assert found == ["maria@artopoieia.example", "Μαρία Παπαδοπούλου"]  # too short dropped
    text = "Called ΜΑΡΊΑ ΠΑΠΑΔΟΠΟΎΛΟΥ? No: μαρία παπαδοπούλου, MARIA@artopoieia.example."
    assert redact(text, found) == "Called [erased]? No: [erased], [erased]."
    assert redact("Straße Weiß", ["weiß"]) == "Straße [erased]"


def test_scrub_keeps_the_structure_a_timeline_needs_and_drops_free_text() -> None:
    event = {
        "step": "apology",
        "amount": "50.00",
        "compensation_id": 7,
        "reason": "She was upset about the cake",
        "notice": said("Handed to %(name)s", name="Nikos for Maria Papa"),
        "channel": "email about Maria Papa",
    }
    cleaned = scrub(event, ["Maria Papa"])
    assert cleaned["step"] == "apology" and cleaned["compensation_id"] == 7
    assert cleaned["amount"] == "50.00"
    assert cleaned["reason"] == MARKER
    assert cleaned["notice"]["msg"] == "Handed to %(name)s"
    assert cleaned["notice"]["args"]["name"] == MARKER
    assert cleaned["channel"] == "email about [erased]"


def test_hidden_keys_stay_unique_and_are_hidden_once() -> None:
    first, second = hidden_key("<a@x.example>"), hidden_key("<b@x.example>")
    assert first != second and first is not None and "x.example" not in first
    assert hidden_key(first) == first
    assert hidden_key(None) is None


def test_only_owners_handle_personal_data() -> None:
    assert [r for r in Role if may_handle_personal_data(r)] == [Role.OWNER]
