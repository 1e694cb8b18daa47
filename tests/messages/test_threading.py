"""Replies thread under the customer's own mail, with a subject they recognise."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.rules import Category, Origin, Step
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers import service as customers
from amends.db import transaction
from amends.messages import outbox
from amends.messages import service as messages
from amends.messages.models import Message
from amends.messages.rules import Channel, Direction, reply_subject
from amends.people.rules import OPERATOR, Actor
from amends.recovery import conversation, flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast
from tests.messages.conftest import Inbox
from tests.messages.helpers import replace_settings


@pytest.mark.parametrize(
    ("their", "ours", "subject"),
    [
        ("Objednávka nedorazila", None, "Re: Objednávka nedorazila [C-7]"),
        ("RE: Re: Objednávka nedorazila", None, "Re: Objednávka nedorazila [C-7]"),
        ("ΑΠ: Δεν ήρθε η παραγγελία", None, "Re: Δεν ήρθε η παραγγελία [C-7]"),
        ("Re: Objednávka [C-7]", None, "Re: Objednávka [C-7]"),
        (None, "ขออภัยเรื่องรายงานเดือนมีนาคม [C-7]", "ขออภัยเรื่องรายงานเดือนมีนาคม [C-7]"),
        (None, None, "Monthly report — missed (2027-02-05) [C-7]"),
    ],
)
def test_a_reply_subject_is_one_the_customer_recognises(
    their: str | None, ours: str | None, subject: str
) -> None:
    title = "Monthly report — missed (2027-02-05)"
    assert reply_subject(their, ours, ref="C-7", title=title) == subject


def test_replies_carry_in_reply_to_and_references_of_the_customers_mail(
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    cast: Cast,
    settings: Settings,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    cfg = replace_settings(settings, smtp_port=port, mail_from="care@kvetinarstvo.example")
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        shop = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name="Kvetinárstvo Ruža",
            language="sk",
            timezone="Europe/Bratislava",
            currency="EUR",
            recurring_value=Decimal("90"),
            contacts=[customers.ContactInput(name="Eva", email="eva@ruza.example")],
        )
        case = flows.open_case(
            s,
            actor=agent,
            now=clock.now(),
            customer_id=shop.id,
            owner_id=cast.agent.id,
            title="Internal: wrong bouquet (courier)",
            category=Category.WRONG_ITEM,
            origin=Origin.COMPLAINT,
            playbook=PLAYBOOK,
        )
        messages.record_message(
            s,
            actor=OPERATOR,
            now=clock.now(),
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            text="Prišla nám úplne iná kytica.",
            subject="RE: Objednávka č. 118",
            language="sk",
            case_id=case.id,
            message_key="8f2c.eva@mail.ruza.example",
            playbook=PLAYBOOK,
        )
        case_id = case.id
    for text, steps in (
        ("Je to naša chyba, Eva. Správnu kyticu sme poslali dnes ráno.", [Step.OWN]),
        ("Kytica je doručená. Ďakujeme za trpezlivosť.", []),
    ):
        clock.advance(timedelta(minutes=5))
        with transaction(sessions) as s:
            conversation.send_reply(
                s, case_id, actor=agent, now=clock.now(), playbook=PLAYBOOK, text=text, steps=steps
            )
        assert outbox.drain(sessions, cfg, now=clock.now())["sent"] == 1
    first, second = (message_from_bytes(raw, policy=policy.default) for raw in inbox.received)
    ref = f"[C-{case_id}]"
    assert first["Subject"] == second["Subject"] == f"Re: Objednávka č. 118 {ref}"
    assert first["In-Reply-To"] == "<8f2c.eva@mail.ruza.example>"
    assert first["References"] == "<8f2c.eva@mail.ruza.example>"
    # The second answers the first and keeps the whole thread.
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"].split() == ["<8f2c.eva@mail.ruza.example>", first["Message-ID"]]
    assert first["Message-ID"].endswith("@kvetinarstvo.example>")
    with transaction(sessions) as s:
        keys = s.scalars(
            select(Message.message_key).where(Message.direction == "outbound").order_by(Message.id)
        ).all()
    assert [f"<{k}>" for k in keys] == [first["Message-ID"], second["Message-ID"]]


def test_a_new_matter_opens_a_new_case_and_the_same_matter_joins_its_own(
    sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        shop = customers.create_customer(
            s,
            actor=OPERATOR,
            now=clock.now(),
            name="Ξενοδοχείο Αιγαίο",
            language="el",
            timezone="Europe/Athens",
            currency="EUR",
        )
        from amends.commitments import service as commitments
        from amends.commitments.rules import CommitmentKind

        report = commitments.create_commitment(
            s,
            actor=OPERATOR,
            now=clock.now(),
            customer_id=shop.id,
            title="Μηνιαία αναφορά μάρκετινγκ",
            kind=CommitmentKind.RECURRING_SERVICE,
            currency="EUR",
            due_at=clock.now() - timedelta(days=40),
            rrule="FREQ=MONTHLY",
        )
        proactive = flows.open_case(
            s,
            actor=agent,
            now=clock.now(),
            customer_id=shop.id,
            owner_id=cast.agent.id,
            title="Μηνιαία αναφορά μάρκετινγκ — missed",
            category=Category.MISSED_COMMITMENT,
            origin=Origin.BREACH,
            commitment_id=report.id,
            playbook=PLAYBOOK,
        )

        def write(subject: str, text: str) -> tuple[int, bool]:
            got = conversation.receive_complaint(
                s, actor=OPERATOR, now=clock.now(), playbook=PLAYBOOK, customer_id=shop.id,
                subject=subject, text=text, language="el",
            )  # fmt: skip
            return got.case.id, got.opened

        # "Charged twice" is a new matter: it does not join the missed report.
        billed, opened = write("Διπλή χρέωση", "Μας χρεώσατε δύο φορές την κάρτα.")
        assert opened and billed != proactive.id
        # The missing report joins the proactive case for it.
        assert write("Πού είναι;", "Δεν λάβαμε την αναφορά μάρκετινγκ.") == (proactive.id, False)
        # An answer under the billing mail's subject, or quoting its reference, joins it.
        assert write("ΑΠ: Διπλή χρέωση", "Ακόμα περιμένουμε.") == (billed, False)
        assert write("Ερώτηση", f"Σχετικά με [C-{billed}]") == (billed, False)
        # Told again in close words under a new subject: the same matter, the same case.
        courier, opened = write(
            "Κούριερ", "Ο κούριερ άφησε το δέμα με τα αλεύρια έξω από την πόρτα και βράχηκε."
        )
        assert opened and courier not in (billed, proactive.id)
        again = "Πάλι ο κούριερ άφησε το δέμα με τα αλεύρια έξω από την πόρτα, βράχηκε."
        assert write("Νέο μήνυμα", again) == (courier, False)
