"""The sweep commits per chunk: short transactions, and a run that dies half way is
finished by the next one with every breach's case opened exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.commitments import bulk
from amends.commitments.models import Breach
from amends.db import transaction
from amends.recovery import breaches
from amends.recovery import sweep as sweeps
from tests.commitments.test_sweep import add_one_offs, counts, make_ledger
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

WHEN = datetime(2026, 4, 7, tzinfo=UTC)  # 4 months x 23 recurring, and 6 launches missed
BREACHES, CASES, COMMITMENTS = 4 * 23 + 6, 23 + 6, 23 + 10


class Crash(Exception):
    """The sweep dies here, as a killed process would: its open transaction is lost."""


def unit_of_work(sessions: sessionmaker[Session]) -> Any:
    @contextmanager
    def run() -> Iterator[Session]:
        with transaction(sessions) as s:
            yield s

    return run


def one_case_per_breach(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).where(Breach.case_id.is_(None))) == 0
        per_commitment = s.execute(
            select(Case.commitment_id, func.count()).group_by(Case.commitment_id)
        ).all()
        assert len(per_commitment) == CASES
        assert {n for _cid, n in per_commitment} == {1}
        linked = s.execute(select(Breach.commitment_id, Case.commitment_id).join(Case)).all()
        assert all(breach == case for breach, case in linked)


@pytest.mark.parametrize("in_table_order", [False, True], ids=["by-index", "table-scan"])
def test_a_chunked_sweep_judges_what_one_transaction_would(
    sessions: sessionmaker[Session],
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    in_table_order: bool,
) -> None:
    if in_table_order:
        # The path a cold sweep of a large SQLite ledger takes (windows in rowid order).
        if sessions.kw["bind"].dialect.name != "sqlite":
            pytest.skip("only SQLite is told how to scan")
        monkeypatch.setattr(bulk, "scan_in_rowid_order", lambda session, *, now: True)
    make_ledger(sessions, cast, 23)
    add_one_offs(sessions, cast, 10, delivered=4)
    result = sweeps.sweep_in_chunks(unit_of_work(sessions), now=WHEN, playbook=PLAYBOOK, size=5)
    assert result.chunks == 7  # 33 due commitments, 5 a chunk
    assert result.commitments_checked == COMMITMENTS
    assert (result.breaches_opened, len(result.cases_opened)) == (BREACHES, CASES)
    assert counts(sessions) == (BREACHES, CASES)
    one_case_per_breach(sessions)
    again = sweeps.sweep_in_chunks(unit_of_work(sessions), now=WHEN, playbook=PLAYBOOK, size=5)
    assert (again.commitments_checked, again.breaches_opened, again.chunks) == (0, 0, 1)


def test_a_sweep_that_dies_half_way_is_finished_by_the_next(
    sessions: sessionmaker[Session], cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_ledger(sessions, cast, 23)
    add_one_offs(sessions, cast, 10, delivered=4)
    record = breaches.record
    calls = 0

    def dies_on_the_third_chunk(*args: Any, **kwargs: Any) -> tuple[list[int], list[int]]:
        # After the chunk's claims and breaches are written, before its cases commit.
        nonlocal calls
        calls += 1
        opened = record(*args, **kwargs)
        if calls == 3:
            raise Crash
        return opened

    monkeypatch.setattr(breaches, "record", dies_on_the_third_chunk)
    with pytest.raises(Crash):
        sweeps.sweep_in_chunks(unit_of_work(sessions), now=WHEN, playbook=PLAYBOOK, size=5)
    monkeypatch.setattr(breaches, "record", record)
    # Two whole chunks are committed and nothing of the third.
    survived_breaches, survived_cases = counts(sessions)
    assert 0 < survived_cases < CASES and 0 < survived_breaches < BREACHES
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).where(Breach.case_id.is_(None))) == 0

    rerun = sweeps.sweep_in_chunks(unit_of_work(sessions), now=WHEN, playbook=PLAYBOOK, size=5)
    assert rerun.breaches_opened == BREACHES - survived_breaches
    assert len(rerun.cases_opened) == CASES - survived_cases
    assert rerun.cases_joined == []
    assert counts(sessions) == (BREACHES, CASES)
    one_case_per_breach(sessions)
