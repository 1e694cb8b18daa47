"""A mail batch plans its new cases as it reads its mail and inserts them after: the ids
it takes beforehand are the ones inserts would have got, and a planned case is as alike
to the next mail as it is once stored."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.cases.rules import Origin
from amends.clock import FrozenClock
from amends.customers import service as customers
from amends.db import transaction
from amends.patterns import similar
from amends.people.rules import OPERATOR
from tests.conftest import DEFAULT_PLAYBOOK, Cast


def _customer(s: Session, clock: FrozenClock) -> int:
    return customers.create_customer(
        s, actor=OPERATOR, now=clock.now(), name="Pekáreň Horváth", language="sk",
        timezone="Europe/Bratislava", currency="EUR",
    ).id  # fmt: skip


def _spec(customer_id: int, owner_id: int, title: str, case_id: int | None) -> cases.NewCase:
    return cases.NewCase(customer_id, owner_id, title, origin=Origin.COMPLAINT, case_id=case_id)


def _open(s: Session, clock: FrozenClock, specs: list[cases.NewCase]) -> list[int]:
    planned = [cases.plan_case(spec, now=clock.now(), playbook=DEFAULT_PLAYBOOK) for spec in specs]
    opened = cases.open_cases(
        s, actor=OPERATOR, now=clock.now(), specs=specs, playbook=DEFAULT_PLAYBOOK,
        planned=planned,
    )  # fmt: skip
    assert opened == planned  # the very objects the caller planned
    return [c.id for c in opened]


def test_ids_taken_beforehand_are_the_ones_inserts_get(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    owner = cast.manager.id
    with transaction(sessions) as s:
        customer = _customer(s, clock)
        (first,) = _open(s, clock, [_spec(customer, owner, "Chlieb neprišiel", None)])
    with transaction(sessions) as s:
        ids = cases.CaseIds(s)
        taken = [ids.take(), ids.take()]
        assert taken == [first + 1, first + 2]
        opened = _open(
            s, clock, [_spec(customer, owner, f"Rožky {n}", case_id) for n, case_id in
                       enumerate(taken)],
        )  # fmt: skip
        assert opened == taken
    # The next case opened the ordinary way follows them: no id is handed out twice.
    with transaction(sessions) as s:
        (after,) = _open(s, clock, [_spec(customer, owner, "Koláče", None)])
    assert after == first + 3


def test_a_planned_case_is_as_alike_to_the_next_mail_as_once_stored(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    title = "Kuriér nechal balík s múkou pred dverami a zmočil ho dážď"
    mail = ("Zase mokrý balík", "Kuriér opäť nechal balík s múkou pred dverami, celý mokrý.")
    with transaction(sessions) as s:
        customer = _customer(s, clock)
        case_id = cases.CaseIds(s).take()
        before = similar.likeness(s, *mail, unstored={case_id: title})([case_id])
        _open(s, clock, [_spec(customer, cast.manager.id, title, case_id)])
        s.flush()
        stored = similar.likeness(s, *mail)([case_id])
    assert before[case_id] > 0.2
    assert before == stored
