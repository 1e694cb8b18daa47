"""The win-back's pure rules: its schedule, its one transition function, its signed link,
and the playbook's [winback] and [watch] tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from amends.coach.followups import follow_up, is_clean
from amends.coach.rules import check
from amends.errors import InvalidTransition, PlaybookError
from amends.playbook.policy import DEFAULT_PATH, parse
from amends.text.address import GenderForm
from amends.winback.rules import WinbackStatus, schedule, sign, transition, verify

LOST = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_follow_ups_fall_due_on_the_playbooks_days_after_the_loss() -> None:
    assert schedule(LOST, (3, 10)) == [LOST + timedelta(days=3), LOST + timedelta(days=10)]


def test_a_stopped_sequence_never_runs_again_and_an_outcome_is_final() -> None:
    assert transition(WinbackStatus.ACTIVE, WinbackStatus.STOPPED) is WinbackStatus.STOPPED
    assert transition(WinbackStatus.STOPPED, WinbackStatus.WON_BACK) is WinbackStatus.WON_BACK
    for status, to in [
        (WinbackStatus.STOPPED, WinbackStatus.ACTIVE),
        (WinbackStatus.STOPPED, WinbackStatus.STOPPED),
        (WinbackStatus.WON_BACK, WinbackStatus.NOT_WON_BACK),
    ]:
        with pytest.raises(InvalidTransition):
            transition(status, to)


def test_the_no_contact_link_is_signed_by_the_workspace_and_names_its_sequence() -> None:
    token = sign("secret-one", 42)
    assert verify("secret-one", token) == 42
    assert verify("secret-two", token) is None
    assert verify("secret-one", token.replace("42.", "43.")) is None
    assert verify("secret-one", "42") is None and verify("secret-one", "x.y") is None


@pytest.mark.parametrize("lang", ["en", "th", "sk", "el"])
@pytest.mark.parametrize("number", [1, 2])
@pytest.mark.parametrize("form", [None, GenderForm.FEMININE, GenderForm.MASCULINE])
def test_every_follow_up_passes_the_coach_with_nothing_to_find(
    lang: str, number: int, form: GenderForm | None
) -> None:
    note = follow_up(
        number=number,
        lang=lang,
        customer_name="Ján Novák",
        agent_name="Olivia",
        business_name="Agentúra Most",
        what_failed="Mesačné reporty",
        stop_link="https://amends.example/winback/stop/1.abc",
        agent_form=form,
        customer_form=form,
    )
    assert note.language == lang and is_clean(note), check(note.text, lang).findings
    assert "https://amends.example/winback/stop/1.abc" in note.text
    assert not any(open_choice in note.text for open_choice in ("/ผม", "/ครับ", "/ή"))
    if lang == "th":
        assert ("ดิฉัน" in note.text) is (form is GenderForm.FEMININE)
        assert ("ผม" in note.text) is (form is GenderForm.MASCULINE)


def test_the_playbook_sets_the_days_and_the_watch_and_names_a_mistake() -> None:
    base = DEFAULT_PATH.read_text(encoding="utf-8")
    book = parse(base)
    assert book.winback.days == (3, 10, 30, 60) and book.watch.commitments == 3
    changed = base.replace("days = [3, 10, 30, 60]", "days = [7, 14]")
    assert parse(changed).winback.days == (7, 14)
    for wrong, says in [
        ("days = [10, 3]", "must rise"),
        ('days = ["3"]', "whole number"),
        ("days = [0, 3]", "whole number"),
    ]:
        with pytest.raises(PlaybookError, match=says):
            parse(base.replace("days = [3, 10, 30, 60]", wrong))
    with pytest.raises(PlaybookError, match=r"\[watch\] commitments"):
        parse(base.replace("commitments = 3", "commitments = -1"))
    with pytest.raises(PlaybookError, match="unknown key"):
        parse(base.replace("notice_hours = 24", "notice_hour = 24"))
