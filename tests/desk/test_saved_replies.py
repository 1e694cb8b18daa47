"""Saved replies: the coach refuses blame when one is saved, in every language we speak;
who may see and change which; placeholders filled in the customer's locale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.audit.models import AuditEvent
from amends.cases.rules import Category, Origin, Severity
from amends.clock import FrozenClock
from amends.coach.rules import check
from amends.customers import service as customers
from amends.db import transaction
from amends.desk import replies
from amends.desk.models import SavedReply
from amends.desk.rules import fill, unknown_placeholders
from amends.errors import Conflict, Forbidden, InvalidInput, NotFound
from amends.people import service as people
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

# Each blames the courier for the failure, in the customer's language.
BLAME_COURIER = {
    "en": "Dear {customer_name}, sorry, the courier lost your parcel.",
    "th": "เรียน {customer_name} ขอโทษครับ แต่บริษัทขนส่งส่งของช้า",
    "sk": "Dobrý deň, {customer_name}, prepáčte, ale kuriér meškal.",
    "el": "Αγαπητέ {customer_name}, λυπούμαστε, αλλά η μεταφορική εταιρεία καθυστέρησε.",
}
OWNING_IT = {
    "en": "Dear {customer_name}, the mistake on {case_ref} is ours and we fix it today.",
    "sk": "Dobrý deň, {customer_name}, chyba v {case_ref} je naša a ešte dnes ju napravíme.",
}


def _actor(person: object) -> Actor:
    return Actor(person.id, person.role)  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", sorted(BLAME_COURIER))
def test_a_saved_reply_that_blames_the_courier_is_refused_when_saved(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast, language: str
) -> None:
    text = BLAME_COURIER[language]
    # The coach itself flags each sentence: the refusal below is the coach's, not a typo's.
    assert "blame-third-party" in check(text, language, required=()).codes
    with transaction(sessions) as s, pytest.raises(Conflict) as refused:
        replies.create_reply(
            s,
            actor=_actor(cast.agent),
            now=clock.now(),
            draft=replies.Draft("courier", text, language),
        )
    assert refused.value.code == "coach-findings"
    assert {f["code"] for f in refused.value.extra["findings"]} == {"blame-third-party"}
    with transaction(sessions) as s:
        assert s.scalars(select(SavedReply)).all() == []


def test_a_changed_saved_reply_is_coached_again(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = _actor(cast.agent)
    with transaction(sessions) as s:
        made = replies.create_reply(
            s, actor=agent, now=clock.now(), draft=replies.Draft("ours", OWNING_IT["sk"], "sk")
        )
    with transaction(sessions) as s, pytest.raises(Conflict) as refused:
        replies.update_reply(
            s,
            made.id,
            actor=agent,
            now=clock.now(),
            draft=replies.Draft("ours", BLAME_COURIER["sk"], "sk"),
        )
    assert refused.value.code == "coach-findings"
    with transaction(sessions) as s:
        kept = s.get(SavedReply, made.id)
        assert kept is not None and kept.text == OWNING_IT["sk"]


def test_personal_replies_are_their_authors_and_team_replies_their_managers(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent, manager, owner = _actor(cast.agent), _actor(cast.manager), _actor(cast.owner)
    with transaction(sessions) as s:
        team = people.create_team(s, actor=OPERATOR, name="Bratislava desk", now=clock.now())
        agent_user = people.get_user(s, cast.agent.id)
        people.set_team(s, actor=OPERATOR, user=agent_user, team=team, now=clock.now())
        mine = replies.create_reply(
            s, actor=agent, now=clock.now(), draft=replies.Draft("mine", OWNING_IT["en"], "en")
        )
        shared = replies.create_reply(
            s,
            actor=manager,
            now=clock.now(),
            draft=replies.Draft("team", OWNING_IT["sk"], "sk"),
            team_id=team.id,
        )
        mine_id, shared_id, team_id = mine.id, shared.id, team.id
    with transaction(sessions) as s:
        assert {r.id for r in replies.list_replies(s, actor=agent)} == {mine_id, shared_id}
        # The owner sees every team's, never another person's own.
        assert {r.id for r in replies.list_replies(s, actor=owner)} == {shared_id}
        with pytest.raises(NotFound):
            replies.get_reply(s, mine_id, actor=manager)
        with pytest.raises(Forbidden):
            replies.update_reply(
                s,
                shared_id,
                actor=agent,
                now=clock.now(),
                draft=replies.Draft("mine now", OWNING_IT["sk"], "sk"),
            )
        with pytest.raises(Forbidden):
            replies.create_reply(
                s,
                actor=agent,
                now=clock.now(),
                draft=replies.Draft("x", OWNING_IT["en"], "en"),
                team_id=team_id,
            )
    with transaction(sessions) as s:
        replies.delete_reply(s, shared_id, actor=manager, now=clock.now())
        assert s.get(SavedReply, shared_id) is None
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"saved-reply.created", "saved-reply.removed"} <= actions


def test_placeholders_are_filled_in_the_customers_locale(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = _actor(cast.agent)
    text = "{customer_name}: {case_ref}, {today}, {compensation}, {nonsense}"
    with transaction(sessions) as s:
        customer = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name="Οίνοι Σαντορίνης",
            language="el",
            timezone="Europe/Athens",
            currency="EUR",
            recurring_value=Decimal("300"),
            contacts=[
                customers.ContactInput(name="Μαρία", email="maria@oinoi.example", is_primary=True)
            ],
        )
        case = flows.open_case(
            s,
            actor=agent,
            now=clock.now() - timedelta(hours=1),
            customer_id=customer.id,
            owner_id=cast.agent.id,
            title="λάθος τιμολόγιο",
            severity=Severity.LOW,
            category=Category.BILLING,
            origin=Origin.COMPLAINT,
            playbook=PLAYBOOK,
        )
        values = replies.placeholders_for_case(
            s, case.id, actor=agent, now=clock.now(), business="amends", timezone="Europe/Athens"
        )
    assert values["customer_name"] == "Μαρία"
    assert values["case_ref"] == f"C-{case.id}"
    assert values["today"] != clock.now().date().isoformat()  # the Greek way, not ISO
    filled = fill(text, values)
    assert filled.startswith(f"Μαρία: C-{case.id}, ")
    assert filled.endswith("{nonsense}")  # unknown names stay visible
    assert unknown_placeholders(text) == ["nonsense"]
    # An unknown placeholder is refused when the reply is saved.
    with transaction(sessions) as s, pytest.raises(InvalidInput) as refused:
        replies.create_reply(
            s, actor=agent, now=clock.now(), draft=replies.Draft("x", "Hi {nme}", "en")
        )
    assert refused.value.code == "placeholder-unknown"
