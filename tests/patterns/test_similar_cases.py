"""Similar cases from the database, through the service and the command line, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import Origin
from amends.cli import app
from amends.clock import FrozenClock
from amends.customers import service as customers
from amends.db import make_engine, make_session_factory, transaction
from amends.messages import service as messages
from amends.messages.models import Message
from amends.messages.rules import Channel, Direction
from amends.patterns import indexing, similar
from amends.patterns.models import CaseCell, CaseText, SimilarPending
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.patterns.synthetic import complaints
from tests.patterns.test_similar_cells import load
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
        found = similar.similar_cases(s, case_id=opened["purifier"], k=5)
        assert best(found) == opened["purifier again"]
        assert opened["purifier"] not in [c for c, _ in found]  # never itself
        assert all(0 < score <= 1 for _, score in found)
        assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)
        assert best(similar.similar_cases(s, case_id=opened["boiler"])) == opened["boiler again"]
        assert best(similar.similar_cases(s, text=SK_WASHER_PLAIN)) == opened["washer"]
        assert best(similar.similar_cases(s, text=EL_FRIDGE_CAPS)) == opened["fridge"]
        # Unrelated complaints are not offered as similar with any real score.
        rude = dict(similar.similar_cases(s, case_id=opened["rude"], k=10))
        assert all(score < 0.25 for score in rude.values())


def indexed(s: Session, text: str) -> list[int]:
    """The cases the engine finds alike for ``text`` from its sketches and its queue of
    cases not sketched yet, whatever the window (cosine 0.2 or more)."""
    return [c for c, score in similar._from_cells(s, text, [], 50) if score >= 0.2]


def test_new_cases_and_messages_are_in_the_index_in_the_same_transaction(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, opened: dict[str, int]
) -> None:
    with transaction(sessions) as s:
        washer_again = open_complaint(s, clock, cast.agent.id, "sk", "Pračka", SK_WASHER_PLAIN)
        # Before the commit, in the writing transaction itself.
        assert similar.text_of(s, washer_again) == f"Pračka\n{SK_WASHER_PLAIN}"
        assert washer_again in indexed(s, SK_WASHER)
        found = similar.similar_cases(s, case_id=opened["washer"], k=3)
        assert best(found) == washer_again
        # A later inbound message is part of the case's text too.
        inbound(s, clock, opened["tickets"], EL_FRIDGE)
        assert opened["tickets"] in indexed(s, EL_FRIDGE_CAPS)
    with transaction(sessions) as s:
        found = similar.similar_cases(s, case_id=opened["fridge"], k=3)
        assert best(found) == opened["tickets"]

    # A case whose transaction rolled back is never offered.
    def failing_request() -> None:
        with transaction(sessions) as s:
            open_complaint(s, clock, cast.agent.id, "en", "Boiler again", EN_BOILER_AGAIN)
            raise RuntimeError("the request failed after opening the case")

    with pytest.raises(RuntimeError):
        failing_request()
    with transaction(sessions) as s:
        found = similar.similar_cases(s, text=EN_BOILER_AGAIN, k=10)
        assert {c for c, _ in found} <= set(opened.values()) | {washer_again}


def test_the_index_follows_every_writer_of_messages(
    sessions: sessionmaker[Session], clock: FrozenClock, opened: dict[str, int]
) -> None:
    tickets, boiler = opened["tickets"], opened["boiler"]
    with transaction(sessions) as s:
        # Rows written without the ORM (bulk intake, imports) are covered by the triggers.
        s.execute(
            insert(Message).values(
                case_id=tickets,
                direction="inbound",
                channel="email",
                language="el",
                subject="",
                text=EL_FRIDGE,
                is_draft=False,
                at=clock.now(),
                created_at=clock.now(),
            )
        )
        assert tickets in indexed(s, EL_FRIDGE_CAPS)
        # Only the first inbound messages make the text: later ones leave it alone.
        for extra in ("one", "two", "three"):
            inbound(s, clock, boiler, f"{extra} more note about the invoice for the tickets")
        assert "three" not in similar.text_of(s, boiler)
        assert similar.text_of(s, boiler).count("\n") == 3
    with transaction(sessions) as s:
        moved = s.scalars(
            select(Message).where(Message.case_id == tickets, Message.text == EL_FRIDGE)
        ).one()
        moved.case_id = boiler  # filed under the wrong case at first
        s.flush()
        assert tickets not in indexed(s, EL_FRIDGE_CAPS)
        assert EL_FRIDGE not in similar.text_of(s, tickets)
        first = s.scalars(
            select(Message)
            .where(Message.case_id == boiler, Message.direction == "inbound")
            .order_by(Message.id)
        ).first()
        assert first is not None
        first.text = SK_WASHER_PLAIN  # an edited text counts at once
        s.flush()
        assert boiler in indexed(s, SK_WASHER)
        s.delete(first)
        s.flush()
        assert SK_WASHER_PLAIN not in similar.text_of(s, boiler)
        assert boiler not in indexed(s, SK_WASHER)


def test_deleted_and_renamed_cases_are_answered_as_they_are_now(
    sessions: sessionmaker[Session], opened: dict[str, int]
) -> None:
    with transaction(sessions) as s:
        assert (
            best(similar.similar_cases(s, case_id=opened["purifier"])) == opened["purifier again"]
        )
    with transaction(sessions) as s:
        s.delete(s.get(Case, opened["purifier again"]))
        renamed = s.get(Case, opened["rude"])
        assert renamed is not None
        renamed.title = "สั่งเครื่องฟอกอากาศแล้วยังไม่ได้รับ"
    with transaction(sessions) as s:
        found = similar.similar_cases(s, case_id=opened["purifier"], k=10)
        assert opened["purifier again"] not in [c for c, _ in found]
        assert best(found) == opened["rude"]


@pytest.mark.slow
def test_two_engines_and_two_processes_give_the_same_top_ten(
    sessions: sessionmaker[Session], opened: dict[str, int], db_url: str, tmp_path: Path
) -> None:
    queries = [TH_PURIFIER_AGAIN, EL_FRIDGE_CAPS, SK_WASHER_PLAIN, EN_BOILER_AGAIN]
    with transaction(sessions) as s:
        here = [similar.similar_cases(s, text=q, k=10) for q in queries]
    other = make_engine(db_url)
    try:
        with transaction(make_session_factory(other)) as s:
            assert [similar.similar_cases(s, text=q, k=10) for q in queries] == here
    finally:
        other.dispose()
    env = {**os.environ, "AMENDS_DATABASE_URL": db_url, "AMENDS_HOME": str(tmp_path / "ws")}
    for query, expected in zip(queries, here, strict=True):
        command = ["patterns", "similar", "--text", "-", "--json"]
        run = subprocess.run(
            [sys.executable, "-c", "from amends.cli import main; main()", *command],
            input=query,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        rows = [json.loads(line) for line in run.stdout.splitlines()]
        assert [(r["case_id"], r["score"]) for r in rows] == [
            (cid, round(score, 3)) for cid, score in expected
        ]


def test_reindex_repairs_texts_written_with_the_triggers_off(
    sessions: sessionmaker[Session], opened: dict[str, int]
) -> None:
    with transaction(sessions) as s:
        s.execute(delete(CaseText))  # as a restore of a partial dump would leave it
        assert similar.similar_cases(s, text=SK_WASHER_PLAIN) == []
        assert similar.reindex(s)["cases"] == len(opened)
        assert best(similar.similar_cases(s, text=SK_WASHER_PLAIN)) == opened["washer"]


@pytest.mark.slow
def test_the_index_finds_the_exact_top_ten_of_the_whole_corpus(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cells as a million cases would have them, scaled down: 800 cases in 40 cells, of
    # which a query reads about 160 (a fifth of the corpus; at a million, 0.3%).
    monkeypatch.setattr(indexing, "FIT_FROM", 100)
    monkeypatch.setattr(indexing, "CASES_PER_CELL", 20)
    monkeypatch.setattr(similar, "READ_CASES", 160)
    texts = complaints(840, seed=5)
    corpus, queries = texts[:800], texts[800:]
    with transaction(sessions) as s:
        load(s, clock, cast.agent.id, corpus)
    done = indexing.keep_up(lambda: transaction(sessions), now=clock.now)
    assert done == {"sketched": len(corpus), "fitted": 1, "moved": len(corpus), "packed": 40}
    found = total = 0
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(SimilarPending)) == 0
        assert s.scalar(select(func.count(func.distinct(CaseCell.cell)))) == 40
        everything = list(s.scalars(select(Case.id)))
        for query in queries:
            exact = {cid for cid, _ in similar.score(s, query, everything)[:10]}
            got = {cid for cid, _ in similar.similar_cases(s, text=query, k=10)}
            found += len(exact & got)
            total += len(exact)
    assert total > 0
    assert found / total >= 0.95


def test_asking_for_both_or_neither_or_a_missing_case_is_refused(
    sessions: sessionmaker[Session], opened: dict[str, int]
) -> None:
    from amends.errors import InvalidInput, NotFound

    with transaction(sessions) as s:
        with pytest.raises(InvalidInput):
            similar.similar_cases(s)
        with pytest.raises(InvalidInput):
            similar.similar_cases(s, case_id=opened["fridge"], text="x")
        with pytest.raises(NotFound):
            similar.similar_cases(s, case_id=999_999)


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
        everyone = similar.similar_for(s, opened["purifier"], actor=OPERATOR)
        assert opened["purifier again"] in [row["case_id"] for row in everyone]
        theirs = similar.similar_for(s, opened["purifier"], actor=employee)
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
    assert similar_rows[0]["id"] == opened["boiler again"]
    assert set(similar_rows[0]) == {"id", "ref", "title", "score"}
    assert 0 < similar_rows[0]["score"] <= 1

    rebuilt = runner.invoke(app, ["patterns", "reindex", "--json"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.stdout)["cases"] == len(opened)
    assert not (tmp_path / "ws" / "index").exists()  # nothing of it lives in the folder

    asked = runner.invoke(app, ["patterns", "similar", "--text", "-", "--json"], input=SK_WASHER)
    assert asked.exit_code == 0, asked.output
    rows = [json.loads(line) for line in asked.stdout.splitlines()]
    assert rows[0]["case_id"] == opened["washer"] and rows[0]["title"] == "Rozbitá práčka"
    by_case = runner.invoke(app, ["patterns", "similar", str(opened["purifier"]), "--json"])
    assert json.loads(by_case.stdout.splitlines()[0])["case_id"] == opened["purifier again"]
    both = runner.invoke(app, ["patterns", "similar", "3", "--text", "x"])
    assert both.exit_code == 2
