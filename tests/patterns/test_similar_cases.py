"""Similar cases through the service and the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import Origin
from amends.cli import app
from amends.clock import FrozenClock
from amends.customers import service as customers
from amends.db import transaction
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.patterns import service as patterns
from amends.patterns import similar
from amends.patterns.similarity import SimilarityIndex
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.patterns.test_similarity import (
    EL_FRIDGE,
    EL_FRIDGE_CAPS,
    EN_BOILER,
    EN_BOILER_AGAIN,
    EN_TICKETS,
    SK_WASHER,
    SK_WASHER_PLAIN,
    TH_PURIFIER,
    TH_PURIFIER_AGAIN,
    TH_RUDE,
)

COMPLAINTS = {
    "purifier": ("th", "ยังไม่ได้รับเครื่องฟอกอากาศ", TH_PURIFIER),
    "rude": ("th", "พนักงานสาขาสีลมไม่สุภาพ", TH_RUDE),
    "fridge": ("el", "Χτυπημένο ψυγείο", EL_FRIDGE),
    "washer": ("sk", "Rozbitá práčka", SK_WASHER),
    "boiler": ("en", "Boiler repair: nobody came", EN_BOILER),
    "tickets": ("en", "Charged twice", EN_TICKETS),
    "purifier again": ("th", "เครื่องฟอกอากาศยังไม่มา", TH_PURIFIER_AGAIN),
    "boiler again": ("en", "Still no boiler repair", EN_BOILER_AGAIN),
}


def open_complaint(
    s: Session, clock: FrozenClock, owner_id: int, lang: str, title: str, text: str
) -> int:
    customer = customers.create_customer(
        s,
        actor=OPERATOR,
        now=clock.now(),
        name=f"{title} s.r.o.",
        language=lang,
        timezone="UTC",
        currency="EUR",
        recurring_value=Decimal("100"),
    )
    case = flows.open_case(
        s,
        actor=OPERATOR,
        now=clock.now(),
        customer_id=customer.id,
        owner_id=owner_id,
        title=title,
        origin=Origin.COMPLAINT,
        playbook=PLAYBOOK,
    )
    inbound(s, clock, case.id, text)
    return case.id


def inbound(s: Session, clock: FrozenClock, case_id: int, text: str) -> None:
    messages.record_message(
        s,
        actor=OPERATOR,
        now=clock.now(),
        direction=Direction.INBOUND,
        channel=Channel.EMAIL,
        text=text,
        case_id=case_id,
        playbook=PLAYBOOK,
    )


@pytest.fixture
def opened(sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast) -> dict[str, int]:
    with transaction(sessions) as s:
        return {
            key: open_complaint(s, clock, cast.agent.id, *parts)
            for key, parts in COMPLAINTS.items()
        }


def best(found: list[tuple[int, float]]) -> int:
    assert found, "nothing similar found"
    return found[0][0]


def test_each_language_finds_its_own_rewording(
    sessions: sessionmaker[Session], opened: dict[str, int]
) -> None:
    with transaction(sessions) as s:
        found = patterns.similar_cases(s, case_id=opened["purifier"], k=5)
        assert best(found) == opened["purifier again"]
        assert opened["purifier"] not in [c for c, _ in found]  # never itself
        assert all(0 < score <= 1 for _, score in found)
        assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)
        assert best(patterns.similar_cases(s, case_id=opened["boiler"])) == opened["boiler again"]
        assert best(patterns.similar_cases(s, text=SK_WASHER_PLAIN)) == opened["washer"]
        assert best(patterns.similar_cases(s, text=EL_FRIDGE_CAPS)) == opened["fridge"]
        # Unrelated complaints are not offered as similar with any real score.
        rude = dict(patterns.similar_cases(s, case_id=opened["rude"], k=10))
        assert all(score < 0.25 for score in rude.values())


def test_new_cases_and_messages_join_the_same_index(
    sessions: sessionmaker[Session],
    engine: Engine,
    clock: FrozenClock,
    cast: Cast,
    opened: dict[str, int],
) -> None:
    with transaction(sessions) as s:
        patterns.similar_cases(s, text=EN_BOILER)
    index = similar._TRACKED[engine].index
    with transaction(sessions) as s:
        washer_again = open_complaint(s, clock, cast.agent.id, "sk", "Pračka", SK_WASHER_PLAIN)
    with transaction(sessions) as s:
        found = patterns.similar_cases(s, case_id=opened["washer"], k=3)
        assert best(found) == washer_again
        # A later inbound message is part of the case's text too.
        inbound(s, clock, opened["tickets"], EL_FRIDGE)
    with transaction(sessions) as s:
        found = patterns.similar_cases(s, case_id=opened["fridge"], k=3)
        assert best(found) == opened["tickets"]
    assert similar._TRACKED[engine].index is index  # added to, not rebuilt

    # A case whose transaction rolled back is never offered.
    def failing_request() -> None:
        with transaction(sessions) as s:
            open_complaint(s, clock, cast.agent.id, "en", "Boiler again", EN_BOILER_AGAIN)
            raise RuntimeError("the request failed after opening the case")

    with pytest.raises(RuntimeError):
        failing_request()
    with transaction(sessions) as s:
        found = patterns.similar_cases(s, text=EN_BOILER_AGAIN, k=10)
        assert {c for c, _ in found} <= set(opened.values()) | {washer_again}


def test_deleted_and_renamed_cases_are_answered_as_they_are_now(
    sessions: sessionmaker[Session], opened: dict[str, int]
) -> None:
    with transaction(sessions) as s:
        assert (
            best(patterns.similar_cases(s, case_id=opened["purifier"])) == opened["purifier again"]
        )
    with transaction(sessions) as s:
        s.delete(s.get(Case, opened["purifier again"]))
        renamed = s.get(Case, opened["rude"])
        assert renamed is not None
        renamed.title = "สั่งเครื่องฟอกอากาศแล้วยังไม่ได้รับ"
    with transaction(sessions) as s:
        found = patterns.similar_cases(s, case_id=opened["purifier"], k=10)
        assert opened["purifier again"] not in [c for c, _ in found]
        assert best(found) == opened["rude"]


def test_the_index_is_kept_in_the_workspace_folder(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    opened: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    with transaction(sessions) as s:
        stats = patterns.reindex(s, home=home)
    assert stats["cases"] == len(opened)
    path = similar.index_path(home)
    assert SimilarityIndex.read_meta(path)["case_mark"] == max(opened.values())
    with transaction(sessions) as s:
        newest = open_complaint(s, clock, cast.agent.id, "el", "Ψυγείο", EL_FRIDGE_CAPS)
    similar.forget_all()

    def no_rebuild(session: Session) -> None:
        raise AssertionError("the saved index should have been loaded")

    monkeypatch.setattr(similar, "build", no_rebuild)
    with transaction(sessions) as s:
        found = patterns.similar_cases(s, case_id=opened["fridge"], home=home)
        assert best(found) == newest  # loaded, then caught up with the database
    monkeypatch.undo()
    similar.forget_all()
    path.write_bytes(b"damaged on disk")
    with transaction(sessions) as s:
        assert best(patterns.similar_cases(s, case_id=opened["fridge"], home=home)) == newest


def test_asking_for_both_or_neither_or_a_missing_case_is_refused(
    sessions: sessionmaker[Session], opened: dict[str, int]
) -> None:
    from amends.errors import InvalidInput, NotFound

    with transaction(sessions) as s:
        with pytest.raises(InvalidInput):
            patterns.similar_cases(s)
        with pytest.raises(InvalidInput):
            patterns.similar_cases(s, case_id=opened["fridge"], text="x")
        with pytest.raises(NotFound):
            patterns.similar_cases(s, case_id=999_999)


def test_an_employee_is_shown_only_cases_they_may_see(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, opened: dict[str, int]
) -> None:
    with transaction(sessions) as s:
        own = open_complaint(s, clock, cast.agent.id, "th", "ฟอกอากาศ", TH_PURIFIER_AGAIN)
        cases.add_participant(
            s,
            case=cases.get_case(s, own, actor=OPERATOR),
            user_id=cast.employee.id,
            reason="named",
            actor=OPERATOR,
            now=clock.now(),
        )
        cases.add_participant(
            s,
            case=cases.get_case(s, opened["purifier"], actor=OPERATOR),
            user_id=cast.employee.id,
            reason="named",
            actor=OPERATOR,
            now=clock.now(),
        )
    employee = Actor(cast.employee.id, cast.employee.role)
    with transaction(sessions) as s:
        everyone = patterns.similar_for(s, opened["purifier"], actor=OPERATOR)
        assert opened["purifier again"] in [row["case_id"] for row in everyone]
        theirs = patterns.similar_for(s, opened["purifier"], actor=employee)
        assert [row["case_id"] for row in theirs] == [own]


def test_cases_show_json_lists_similar_cases_and_the_cli_reindexes(
    sessions: sessionmaker[Session],
    opened: dict[str, int],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AMENDS_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("AMENDS_DATABASE_URL", db_url)
    runner = CliRunner()
    shown = runner.invoke(app, ["cases", "show", str(opened["boiler"]), "--json"])
    assert shown.exit_code == 0, shown.output
    similar_rows = json.loads(shown.stdout)["similar"]
    assert similar_rows[0]["case_id"] == opened["boiler again"]
    assert set(similar_rows[0]) == {"case_id", "score"} and 0 < similar_rows[0]["score"] <= 1

    rebuilt = runner.invoke(app, ["patterns", "reindex", "--json"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.stdout)["cases"] == len(opened)
    assert (tmp_path / "ws" / "index" / "similar-cases.npz").exists()

    asked = runner.invoke(app, ["patterns", "similar", "--text", "-", "--json"], input=SK_WASHER)
    assert asked.exit_code == 0, asked.output
    rows = [json.loads(line) for line in asked.stdout.splitlines()]
    assert rows[0]["case_id"] == opened["washer"] and rows[0]["title"] == "Rozbitá práčka"
    by_case = runner.invoke(app, ["patterns", "similar", str(opened["purifier"]), "--json"])
    assert json.loads(by_case.stdout.splitlines()[0])["case_id"] == opened["purifier again"]
    both = runner.invoke(app, ["patterns", "similar", "3", "--text", "x"])
    assert both.exit_code == 2
