"""The customer expectations page: each occurrence marked, customer text escaped, roles kept."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import FrozenClock
from amends.commitments import service as commitments
from amends.commitments.rules import CommitmentKind
from amends.db import transaction
from amends.people.models import User
from amends.people.rules import OPERATOR
from tests.conftest import Cast
from tests.helpers import make_customer
from tests.web.test_pages import HOSTILE, sign_in


def promise_monthly_reports(
    sessions: sessionmaker[Session], clock: FrozenClock, customer_id: int, title: str
) -> int:
    """Four monthly reports due so far: one on time, one late, two never sent; one to come."""
    now = clock.now()
    first = (now - timedelta(days=125)).replace(hour=9, minute=0, second=0, microsecond=0)
    with transaction(sessions) as s:
        commitment = commitments.create_commitment(
            s,
            actor=OPERATOR,
            now=now - timedelta(days=130),
            customer_id=customer_id,
            title=title,
            kind=CommitmentKind.RECURRING_SERVICE,
            currency="THB",
            due_at=first,
            rrule=f"FREQ=MONTHLY;BYMONTHDAY={first.day}",
            grace_hours=48,
            manner="รายงานเป็นภาษาไทย ส่งทางอีเมล",
            value=Decimal("6500"),
        )
        commitments.add_delivery(
            s,
            actor=OPERATOR,
            now=now,
            commitment_id=commitment.id,
            delivered_at=first - timedelta(hours=3),
        )
        second = commitments.get_commitment(s, commitment.id, actor=OPERATOR)
        assert second.due_at is not None
        # Sent ten days after the second report was due: late, not missed.
        commitments.add_delivery(
            s,
            actor=OPERATOR,
            now=now,
            commitment_id=commitment.id,
            delivered_at=first + timedelta(days=40),
        )
        return commitment.id


def marks(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1]
    return re.findall(r'class="mark mark-([a-z_]+)"', body)


def test_every_occurrence_is_marked(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    customer = make_customer(
        client,
        cast.agent,
        name="ร้านกาแฟบ้านสวน",
        language="th",
        timezone="Asia/Bangkok",
        currency="THB",
    )
    promise_monthly_reports(sessions, clock, customer["id"], "รายงานการตลาดประจำเดือน")
    sign_in(client, cast.agent.email)
    page = client.get(f"/customers/{customer['id']}/expectations")
    assert page.status_code == 200
    assert "รายงานการตลาดประจำเดือน" in page.text
    assert "รายงานเป็นภาษาไทย ส่งทางอีเมล" in page.text
    # Newest first: next month's report to come, two missed, the late one, the first on time.
    assert marks(page.text) == ["upcoming", "missed", "missed", "late", "on_time"]
    assert "Delivered on time: 1" in page.text and "Missed: 2" in page.text
    detail = client.get(f"/customers/{customer['id']}").text
    assert f'href="/customers/{customer["id"]}/expectations"' in detail


def test_marks_read_in_the_reader_language(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    customer = make_customer(client, cast.agent)
    promise_monthly_reports(sessions, clock, customer["id"], "Mesačný marketingový report")
    sign_in(client, cast.agent.email)
    path = f"/customers/{customer['id']}/expectations"
    for language, missed, on_time in (
        ("th", "ไม่ได้ส่งมอบ", "ส่งมอบตรงเวลา"),
        ("sk", "Zmeškané", "Dodané načas"),
        ("el", "Δεν παραδόθηκε", "Παραδόθηκε εγκαίρως"),
    ):
        with transaction(sessions) as s:
            agent = s.get(User, cast.agent.id)
            assert agent is not None
            agent.language = language
        page = client.get(path).text
        assert f'<html lang="{language}">' in page
        assert f"{missed}: 2" in page and f"{on_time}: 1" in page, language
    # Dates through Babel in the workspace timezone: 09:00 UTC is 10:00 in a Bratislava
    # winter and 11:00 in its summer.
    with transaction(sessions) as s:
        s.get(User, cast.agent.id).language = "sk"  # type: ignore[union-attr]
    slovak = client.get(path).text
    assert re.search(r"30\. 12\. 2025, 10:00(?!:)", slovak), "winter due time in CET"
    assert re.search(r"\d{1,2}\. [4-6]\. 2026, 11:00(?!:)", slovak), "summer due time in CEST"


def test_customer_text_is_escaped(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    customer = make_customer(client, cast.agent, name=HOSTILE)
    promise_monthly_reports(sessions, clock, customer["id"], HOSTILE)
    sign_in(client, cast.agent.email)
    page = client.get(f"/customers/{customer['id']}/expectations")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert page.text.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") >= 3


def test_who_may_see_it(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    customer = make_customer(client, cast.agent)
    promise_monthly_reports(sessions, clock, customer["id"], "Mesačný marketingový report")
    path = f"/customers/{customer['id']}/expectations"
    signed_out = client.get(path, follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/signin?next=")
    sign_in(client, cast.viewer.email)
    assert client.get(path).status_code == 200
    assert client.get("/customers/999999/expectations").status_code == 404
    sign_in(client, cast.employee.email)
    # Employees see only their own cases, not the customer's ledger (as on the API).
    refused = client.get(path)
    assert refused.status_code in (403, 404)
    assert "Mesačný marketingový report" not in refused.text
