"""The dashboard's week-by-week attainment, open cases by age and recovery paradox read
figures the triggers keep (per opening day, per customer); each must equal what the
cases themselves say, however the period's bounds cut the days."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import EVERY_OWNER, Case, CaseDayTally, CategoryHit
from amends.cases.rules import CaseState, Category, Outcome, Severity
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.db import transaction
from amends.patterns import themes
from amends.people.rules import OPERATOR, Actor
from amends.recovery import flows
from amends.reports import service as reports
from amends.reports.rules import AGE_BANDS, share, week_starts
from tests.conftest import DEFAULT_PLAYBOOK as PLAYBOOK
from tests.conftest import Cast

START = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)


def counted_day_rows(s: Session) -> dict[tuple[date, int, str, str], int]:
    """What ``case_day_tallies`` must hold, counted here from the cases."""
    counts: dict[tuple[date, int, str, str], int] = defaultdict(int)
    for case in s.scalars(select(Case)):
        day = case.opened_at.astimezone(UTC).date()
        # Each case counts for its owner and for everyone (owner 0).
        for key in ((day, case.owner_id), (day, EVERY_OWNER)):
            counts[(*key, "cases", case.category)] += 1
            if case.closed_at is None:
                counts[(*key, "open", "")] += 1
            for clock in ("ack", "remedy", "close"):
                flag = getattr(case, f"{clock}_within")
                if flag is not None:
                    counts[(*key, f"{clock}_within", "1" if flag else "0")] += 1
    return dict(counts)


def kept_day_rows(s: Session) -> dict[tuple[date, int, str, str], int]:
    return {
        (t.day, t.owner_id, t.metric, t.value): t.n for t in s.scalars(select(CaseDayTally)) if t.n
    }


def marks_match(s: Session) -> None:
    """Each customer's first case and latest recovery, as the triggers keep them."""
    recovered = {Outcome.RETAINED, Outcome.WON_BACK}
    for customer in s.scalars(select(Customer)):
        own = list(s.scalars(select(Case).where(Case.customer_id == customer.id)))
        first = min((c.opened_at for c in own), default=None)
        latest = max(
            (
                c.closed_at
                for c in own
                if c.state == CaseState.CLOSED and c.outcome in recovered and c.closed_at
            ),
            default=None,
        )
        assert (customer.first_case_at, customer.recovered_at) == (first, latest), customer.name


def hits_match(s: Session) -> None:
    """Each customer's latest case per category, with their currency, status and value."""
    expected: dict[tuple[int, str], tuple[Any, ...]] = {}
    for case in s.scalars(select(Case)):
        customer = s.get_one(Customer, case.customer_id)
        key = (case.customer_id, str(case.category))
        latest = max(case.opened_at, expected.get(key, (case.opened_at,))[0])
        expected[key] = (latest, customer.currency, str(customer.status), customer.recurring_value)
    kept = {
        (h.customer_id, str(h.category)): (
            h.last_opened_at,
            h.currency,
            h.status,
            h.recurring_value,
        )
        for h in s.scalars(select(CategoryHit))
    }
    assert kept == expected


def consistent(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        assert kept_day_rows(s) == counted_day_rows(s)
        marks_match(s)
        hits_match(s)


def themes_by_hand(s: Session, now: datetime, window: timedelta) -> dict[str, Any]:
    """Per category: cases this window and the one before, customers hit this window and
    their value at stake (customers not lost nor parted with)."""
    start, before = now - window, now - 2 * window
    figures: dict[str, Any] = {}
    for case in s.scalars(select(Case).where(Case.opened_at >= before, Case.opened_at <= now)):
        row = figures.setdefault(str(case.category), {"cases": 0, "hit": set()})
        if case.opened_at >= start:
            row["cases"] += 1
            row["hit"].add(case.customer_id)
    out = {}
    for category, row in figures.items():
        stake = sum(
            (
                c.recurring_value
                for c in (s.get_one(Customer, i) for i in row["hit"])
                if c.status not in ("lost", "parted_ways")
            ),
            Decimal(0),
        )
        out[category] = (row["cases"], len(row["hit"]), stake)
    return out


def weekly_by_hand(all_cases: list[Case], end: datetime, since: datetime | None) -> list[Any]:
    starts = week_starts(end, since)
    rows = []
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else end
        inside = [c for c in all_cases if start <= c.opened_at < stop]
        row: dict[str, Any] = {
            "week_start": start.isoformat(),
            "week_end": stop.isoformat(),
            "cases": len(inside),
        }
        for clock in ("ack", "remedy", "close"):
            flags = [getattr(c, f"{clock}_within") for c in inside]
            judged = [f for f in flags if f is not None]
            row[f"{clock}_within_sla_pct"] = share(sum(judged), len(judged))
        rows.append(row)
    return rows


def ages_by_hand(all_cases: list[Case], now: datetime) -> list[dict[str, Any]]:
    counts = [0] * len(AGE_BANDS)
    for case in all_cases:
        if case.closed_at is not None:
            continue
        for i, days in enumerate(AGE_BANDS):
            if days is None or case.opened_at >= now - timedelta(days=days):
                counts[i] += 1
                break
    return [{"up_to_days": b, "cases": n} for b, n in zip(AGE_BANDS, counts, strict=True)]


def test_day_tallies_and_marks_follow_every_change_and_give_exact_figures(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    agent = Actor(cast.agent.id, cast.agent.role)
    with transaction(sessions) as s:
        made = [
            customers.create_customer(
                s,
                actor=OPERATOR,
                now=START,
                name=name,
                language=language,
                timezone="UTC",
                currency="EUR",
                recurring_value=Decimal("50"),
            ).id
            for name, language in (
                ("Ταβέρνα Ήλιος", "el"),
                ("ร้านดอกไม้", "th"),
                ("Pekáreň", "sk"),
                ("Harbour Café", "en"),
            )
        ]
    consistent(sessions)
    ids = []
    # Cases opened over 90 days at odd hours, some on a midnight exactly; the fourth
    # customer's two cases lie far apart, so between them their latest case is later
    # than "now" while none fell in the window.
    for i in range(26):
        opened = START + timedelta(days=4 * i, hours=(7 * i) % 24, minutes=13 * i % 60)
        if i % 5 == 0:
            opened = opened.replace(hour=0, minute=0)
        if i >= 24:
            opened = START + timedelta(days=80 * (i - 24), hours=3)
        with transaction(sessions) as s:
            ids.append(
                flows.open_case(
                    s,
                    actor=agent,
                    now=opened,
                    customer_id=made[i % 3 if i < 24 else 3],
                    owner_id=cast.agent.id if i % 2 else cast.manager.id,
                    title=f"Case {i}",
                    severity=Severity.LOW,
                    category=[Category.BILLING, Category.QUALITY][i % 2],
                    playbook=PLAYBOOK,
                ).id
            )
    consistent(sessions)
    with transaction(sessions) as s:
        # Clocks met and missed, cases closed as recovered and as lost, whatever path
        # writes them: the triggers follow the rows.
        for i, case_id in enumerate(ids):
            values: dict[str, Any] = {"ack_within": i % 3 == 0 if i % 4 else None}
            values["remedy_within"] = i % 2 == 0 if i % 3 else None
            if i % 3 != 1:
                opened = s.get_one(Case, case_id).opened_at
                values |= {
                    "state": CaseState.CLOSED,
                    "closed_at": opened + timedelta(days=2, hours=i),
                    "close_within": i % 4 != 0,
                    "outcome": [Outcome.RETAINED, Outcome.LOST, Outcome.WON_BACK][i % 3],
                }
            s.execute(update(Case).where(Case.id == case_id).values(**values))
    consistent(sessions)
    with transaction(sessions) as s:
        # A case reopened, one moved to another owner and customer, one deleted.
        s.execute(
            update(Case)
            .where(Case.id == ids[0])
            .values(state=CaseState.OWNED, closed_at=None, outcome=None, close_within=None)
        )
        s.execute(
            update(Case)
            .where(Case.id == ids[2])
            .values(owner_id=cast.agent.id, customer_id=made[0], opened_at=START)
        )
        s.execute(delete(Case).where(Case.id == ids[3]))
        # A customer lost, another's value and currency changed: the hits copy them.
        s.execute(update(Customer).where(Customer.id == made[0]).values(status="lost"))
        s.execute(
            update(Customer)
            .where(Customer.id == made[2])
            .values(recurring_value=Decimal("75.50"), currency="EUR")
        )
    consistent(sessions)

    with transaction(sessions) as s:
        every = list(s.scalars(select(Case)))
        for now in (
            START + timedelta(days=95, hours=13, minutes=37),
            datetime(2026, 12, 1, tzinfo=UTC),  # a midnight: no day is cut
            START + timedelta(days=40, seconds=1),
        ):
            report = reports.recovery_report(s, actor=OPERATOR, now=now)
            assert report["sla_by_week"] == weekly_by_hand(every, now, None)
            assert report["open_by_age"] == ages_by_hand(every, now)
            since = now - timedelta(days=30, hours=5)
            windowed = reports.recovery_report(s, actor=OPERATOR, since=since, now=now)
            assert windowed["sla_by_week"] == weekly_by_hand(every, now, since)
            found = themes.themes(
                s, actor=OPERATOR, now=now, window=timedelta(days=30), currency="EUR"
            )
            assert {
                t["key"]: (
                    t["cases"],
                    t["customers"],
                    Decimal(t["revenue_at_stake"].get("EUR", "0")),
                )
                for t in found["themes"]
                if t["kind"] == "category" and (t["cases"] or t["customers"])
            } == {k: v for k, v in themes_by_hand(s, now, timedelta(days=30)).items() if v[0]}
        mine = reports._weekly(
            s, end=START + timedelta(days=60), since=None, owners=[cast.agent.id]
        )
        assert mine == weekly_by_hand(
            [c for c in every if c.owner_id == cast.agent.id], START + timedelta(days=60), None
        )
        assert sum(w["cases"] for w in mine) > 0
        assert sum(a["cases"] for a in report["open_by_age"]) > 0

    with transaction(sessions) as s:
        # Removing a customer removes its cases, their tallies and nothing else's.
        s.execute(delete(Customer).where(Customer.id == made[1]))
    consistent(sessions)
