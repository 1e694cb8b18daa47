"""Finding: In-Reply-To or References naming another customer's message filed the mail
in that customer's case. A mail joins a case only through its own customer's threads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers.models import Customer
from amends.db import transaction
from amends.intake.pipeline import ingest, ingest_many
from amends.intake.rules import RawMailStatus
from tests.security.intake_mail import context, raw_mail

JANA = raw_mail(msgid="<j1@kaviaren-dunaj.example>")
PETER = "Peter Kováč <peter@kaviaren-dunaj.example>"  # Jana's colleague: same customer


def _intruder(header: str) -> bytes:
    return raw_mail(
        header,
        sender="Eve Mallory <eve@evil-corp.example>",
        subject="Re: Objednávka neprišla",
        msgid="<e1@evil-corp.example>",
        body="Please send the refund to my account instead, thank you very much.",
    )


def _customer_of(sessions: sessionmaker[Session], case_id: int | None) -> str:
    with transaction(sessions) as s:
        case = s.get(Case, case_id)
        assert case is not None
        customer = s.get(Customer, case.customer_id)
        assert customer is not None
        return customer.name


@pytest.mark.parametrize(
    "header",
    ["In-Reply-To: <j1@kaviaren-dunaj.example>", "References: <x@y> <j1@kaviaren-dunaj.example>"],
    ids=["in-reply-to", "references"],
)
@pytest.mark.parametrize("path", ["one by one", "one batch"])
def test_a_reply_header_naming_another_customers_mail_does_not_join_their_case(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    tmp_path: Path,
    header: str,
    path: str,
) -> None:
    ctx = context(settings, sessions, clock, tmp_path / "ws")
    colleague = raw_mail(
        "In-Reply-To: <j1@kaviaren-dunaj.example>",
        sender=PETER,
        subject="Re: Objednávka neprišla",
        msgid="<p1@kaviaren-dunaj.example>",
        body="Pripájam sa, ani u nás nič neprišlo.",
    )
    mails = [JANA, _intruder(header), colleague]
    if path == "one by one":
        results = [ingest(ctx, raw, source="eml") for raw in mails]
    else:
        results = list(ingest_many(ctx, [(raw, "eml", "") for raw in mails]))
    jana, eve, peter = results
    assert {r.status for r in results} == {RawMailStatus.STORED}
    assert eve.case_id != jana.case_id
    assert _customer_of(sessions, eve.case_id) == "Eve Mallory"
    # The same customer's colleague still continues the thread.
    assert peter.case_id == jana.case_id
    with transaction(sessions) as s:
        assert len(s.scalars(select(Case)).all()) == 2
