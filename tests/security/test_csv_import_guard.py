"""Findings in the CSV import: a field over 128 KB ended in a traceback, and on SQLite
releasing a row's savepoint committed the rows before it, so an import that stopped
half-way (a crash, Ctrl-C, a file that cannot be read further) kept half its rows.

The README promises per-row reports: bad rows rejected by line and quarantined, good
rows imported, all of it in the import's one transaction.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.customers.models import Customer
from amends.db import transaction
from amends.errors import InvalidInput
from amends.intake.csvfiles import Table, import_csv
from amends.intake.models import Quarantine
from amends.people.rules import OPERATOR

HEADER = "external_id,name,email,language\n"


def _customers(sessions: sessionmaker[Session]) -> list[str]:
    with transaction(sessions) as s:
        return list(s.scalars(select(Customer.external_id).order_by(Customer.external_id)))


def _import(session: Session, data: bytes, clock: FrozenClock, **kw: object) -> object:
    return import_csv(
        session,
        data,
        table=Table.CUSTOMERS,
        actor=OPERATOR,
        now=clock.now(),
        reference="customers.csv",
        **kw,  # type: ignore[arg-type]
    )


def test_a_field_over_128_kb_is_a_rejected_row_not_a_traceback(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    huge = "Kaviareň " + "x" * 200_000
    data = (
        HEADER
        + "c1,Kaviareň Dunaj,jana@kaviaren-dunaj.example,sk\n"
        + f'c2,"{huge}",peter@pekaren.example,sk\n'
        + "c3,Taverna Kyma,nikos@taverna-kyma.example,el\n"
    ).encode()
    with transaction(sessions) as s:
        summary = _import(s, data, clock)
    assert (summary.imported, summary.rejected) == (2, 1)  # type: ignore[attr-defined]
    (problem,) = summary.problems  # type: ignore[attr-defined]
    assert problem.line == 3
    assert problem.code == "csv-row-invalid"
    assert problem.message.startswith("name:")
    assert _customers(sessions) == ["c1", "c3"]
    with transaction(sessions) as s:
        assert s.scalars(select(Quarantine.reference)).all() == ["customers.csv:3"]


def test_an_external_id_longer_than_its_column_is_a_rejected_row_on_every_engine(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    data = (HEADER + f"{'c' * 250},Kaviareň Dunaj,,sk\nc2,Taverna Kyma,,el\n").encode()
    with transaction(sessions) as s:
        summary = _import(s, data, clock)
    assert (summary.imported, summary.rejected) == (1, 1)  # type: ignore[attr-defined]
    assert summary.problems[0].message.startswith("external_id:")  # type: ignore[attr-defined]
    assert _customers(sessions) == ["c2"]


def test_an_import_that_stops_half_way_leaves_nothing_behind(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    data = (HEADER + "".join(f"c{i},Customer {i},,en\n" for i in range(1, 6))).encode()

    def stop(count: int) -> None:
        if count == 3:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C during the import

    with pytest.raises(KeyboardInterrupt), transaction(sessions) as s:
        _import(s, data, clock, progress=stop)
    assert _customers(sessions) == []
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Quarantine)) == 0


def test_a_field_too_large_for_any_column_refuses_the_file_whole(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    """Past the reader's field limit the csv module cannot tell where the row ends (the
    rest would read as rows of garbage), so the file is refused with the line, and
    nothing of it is kept, not even the good rows before it."""
    huge = "x" * (1024 * 1024 + 10)  # over csvfiles.FIELD_CHARS
    data = (HEADER + f'c1,Kaviareň Dunaj,,sk\nc2,"{huge}",,el\nc3,Taverna Kyma,,el\n').encode()
    with pytest.raises(InvalidInput) as refused, transaction(sessions) as s:
        _import(s, data, clock)
    assert refused.value.code == "csv-field-too-large"
    assert "line 3" in refused.value.message
    assert _customers(sessions) == []
