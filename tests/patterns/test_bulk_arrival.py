"""Cases opened many at once are judged for repeats and patterns exactly as if they had
been opened one by one: the sweep relies on the shortcut, the outcome must not show it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.cases.models import Case, Notification, TimelineEvent
from amends.cases.rules import Category, Origin, Severity
from amends.customers import service as customers
from amends.db import transaction
from amends.patterns import service as patterns
from amends.patterns.models import PatternCase
from amends.people.rules import OPERATOR
from amends.playbook.policy import Playbook
from amends.recovery import flows
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

# Two runs far enough apart that neither sees the other: past the repeat window
# (180 days) and the pattern window (30 days).
FIRST = datetime(2025, 1, 6, 9, tzinfo=UTC)
SECOND = FIRST + timedelta(days=400)

# What each customer had told us ten days before the run, if anything.
EARLIER = {
    0: "The courier left our parcel at the wrong address again",
    1: "The courier left the parcel at a wrong address, we never got it",
    2: "Courier left our parcel at the wrong address and nobody received it",
}
# (customer, category, title) in the order the cases open. Customers come back within
# the batch, so the cases open in several rounds; the "other" ones (one failure in
# English paraphrases) can only be repeats or pattern members by their words.
BATCH: list[tuple[int, Category, str]] = [
    (0, Category.OTHER, "The courier left the parcel at the wrong address once more"),
    (1, Category.LATE_DELIVERY, "ส่งของช้ากว่าที่สัญญาไว้สามวัน"),
    (2, Category.OTHER, "The courier again left the parcel at the wrong address"),
    (3, Category.LATE_DELIVERY, "Η παράδοση άργησε μία εβδομάδα"),
    (4, Category.LATE_DELIVERY, "Delivery came a week after the promised day"),
    (4, Category.LATE_DELIVERY, "Second order is late as well"),
    (3, Category.LATE_DELIVERY, "Και η δεύτερη παραγγελία άργησε"),
    (6, Category.LATE_DELIVERY, "Zásielka prišla o týždeň neskôr, než ste sľúbili"),
    (1, Category.OTHER, "Parcel left at the wrong address by the courier again"),
    (7, Category.LATE_DELIVERY, "The van never came on Tuesday"),
    (0, Category.BILLING, "And the invoice for it is wrong too"),
    (5, Category.BILLING, "Charged twice for the March invoice"),
]


def _customers(session: Session, now: datetime, tag: str) -> list[int]:
    return [
        customers.create_customer(
            session,
            actor=OPERATOR,
            now=now,
            name=f"Shop {tag}{i}",
            language="en",
            timezone="Europe/Bratislava",
            currency="EUR",
            recurring_value=Decimal("100"),
        ).id
        for i in range(8)
    ]


def _run(
    sessions: sessionmaker[Session], cast: Cast, at: datetime, tag: str, playbook: Playbook
) -> dict[str, Any]:
    with transaction(sessions) as s:
        ids = _customers(s, at - timedelta(days=30), tag)
        for index, title in EARLIER.items():
            flows.open_case(
                s,
                actor=OPERATOR,
                now=at - timedelta(days=10),
                customer_id=ids[index],
                owner_id=cast.agent.id,
                title=title,
                severity=Severity.MEDIUM,
                category=Category.OTHER,
                origin=Origin.COMPLAINT,
                playbook=playbook,
            )
    with transaction(sessions) as s:
        opened = flows.open_cases(
            s,
            actor=OPERATOR,
            now=at,
            specs=[
                cases.NewCase(
                    customer_id=ids[who],
                    owner_id=cast.agent.id,
                    title=title,
                    category=category,
                    # Those with a category stand for what the sweep finds: only its
                    # category groups cases into a pattern on its own.
                    origin=Origin.COMPLAINT if category is Category.OTHER else Origin.BREACH,
                )
                for who, category, title in BATCH
            ],
            playbook=playbook,
        )
        return _outcome(s, opened, since=at - timedelta(days=11))


def _outcome(session: Session, opened: Sequence[Case], *, since: datetime) -> dict[str, Any]:
    """What the judging decided, with ids replaced by positions so two runs compare."""
    earlier = list(
        session.scalars(
            select(Case.id)
            .where(Case.opened_at >= since, Case.id.not_in([c.id for c in opened]))
            .order_by(Case.id)
        )
    )
    position = {cid: f"earlier{i}" for i, cid in enumerate(earlier)}
    position.update({case.id: f"batch{i}" for i, case in enumerate(opened)})
    patterns_seen: dict[int, str] = {}
    member: dict[str, str] = {}
    for pattern_id, case_id in session.execute(
        select(PatternCase.pattern_id, PatternCase.case_id)
        .where(PatternCase.case_id.in_(position))
        .order_by(PatternCase.pattern_id, PatternCase.case_id)
    ):
        name = patterns_seen.setdefault(pattern_id, f"P{len(patterns_seen)}")
        member[position[case_id]] = name
    notes = session.execute(
        select(Notification.kind, Notification.case_id)
        .where(Notification.case_id.in_(position))
        .order_by(Notification.kind, Notification.case_id, Notification.user_id)
    ).all()
    return {
        "cases": [
            {
                "severity": case.severity,
                "repeat_of": [position[i] for i in case.repeat_of or []],
                "ack_due": case.ack_due_at,
                "timeline": [
                    (kind, data.get("pattern_id") and patterns_seen[data["pattern_id"]])
                    for kind, data in session.execute(
                        select(TimelineEvent.kind, TimelineEvent.data)
                        .where(TimelineEvent.case_id == case.id)
                        .order_by(TimelineEvent.id)
                    )
                ],
            }
            for case in opened
        ],
        "members": member,
        "notifications": [(kind, position[cid]) for kind, cid in notes],
    }


def _one_by_one(
    session: Session, batch: Sequence[Case], *, now: datetime, playbook: Playbook
) -> None:
    for case in batch:
        patterns.case_arrived(session, case, now=now, playbook=playbook)


def _relative(outcome: dict[str, Any], at: datetime) -> dict[str, Any]:
    for case in outcome["cases"]:
        case["ack_due"] = case["ack_due"] - at if case["ack_due"] else None
    return outcome


@pytest.mark.parametrize("by_category", [True, False], ids=["by-category", "by-text"])
def test_a_batch_is_judged_as_if_opened_one_by_one(
    sessions: sessionmaker[Session],
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    by_category: bool,
) -> None:
    from dataclasses import replace

    playbook = replace(
        PLAYBOOK,
        patterns=replace(PLAYBOOK.patterns, min_customers=3, by_category=by_category),
    )
    with monkeypatch.context() as m:
        m.setattr(patterns, "cases_arrived", _one_by_one)
        expected = _relative(_run(sessions, cast, FIRST, "a", playbook), FIRST)
    joined_together: list[int] = []
    join = patterns._join_existing

    def spy(session: Session, pattern_id: int, batch: Sequence[Case], *, now: datetime) -> None:
        joined_together.append(len(batch))
        join(session, pattern_id, batch, now=now)

    monkeypatch.setattr(patterns, "_join_existing", spy)
    got = _relative(_run(sessions, cast, SECOND, "b", playbook), SECOND)

    assert got == expected
    # The batch must have exercised what it is about: text and category repeats,
    # a raised severity, and a pattern that later cases of the batch join.
    judged = expected["cases"]
    assert judged[0]["repeat_of"] == ["earlier0"]  # by its words alone
    assert judged[5]["repeat_of"] == ["batch4"]  # same customer, earlier round
    assert judged[5]["severity"] == "high"
    assert expected["members"], "no pattern formed"
    if by_category:
        # The second round's two late deliveries joined the pattern in one go.
        assert max(joined_together) == 2
    assert any(kind == "repeat_failure" for kind, _ in expected["notifications"])
