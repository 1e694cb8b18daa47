"""The dashboard and the report pages: the same numbers as `amends report --json`, money
per currency, CSV that a spreadsheet cannot run, and who sees what at `/`."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.rules import Outcome, Step
from amends.clock import FrozenClock
from amends.compensation import report as ledger
from amends.db import transaction
from amends.people import service as people
from amends.people.rules import OPERATOR
from amends.recovery import flows
from amends.reports import service as reports
from amends.web.csvexport import csv_text, neutralised
from tests.conftest import DEFAULT_PLAYBOOK, Cast
from tests.helpers import make_case, make_customer
from tests.web.test_pages import sign_in

HYPERLINK = '=HYPERLINK("http://x","y")'


def test_csv_cells_that_would_start_a_formula_are_neutralised() -> None:
    for hostile in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", HYPERLINK):
        assert neutralised(hostile) == "'" + hostile
    for plain in ("Pekáreň", "ร้านกาแฟ", "Λέσχη", "1.50", "", None, 7):
        assert neutralised(plain) == ("" if plain is None else str(plain))
    rows = list(csv.reader(io.StringIO(csv_text(["name"], [[HYPERLINK], ["ok"]]))))
    assert rows == [["name"], ["'" + HYPERLINK], ["ok"]]


def _workspace(client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast):
    """Three cases: a Thai café compensated in THB (its name a formula), a Slovak
    bakery compensated twice in EUR, one case closed retained, one a hand-off."""
    cafe = make_customer(
        client, cast.manager, name=HYPERLINK, language="th", currency="THB",
        recurring_value="7000.00", contacts=[{"name": "Nok", "email": "nok@cafe.example"}],
    )  # fmt: skip
    bakery = make_customer(client, cast.manager)
    first = make_case(
        client, cast.manager, cafe["id"], cast.agent.id, severity="low", category="other"
    )
    second = make_case(client, cast.manager, bakery["id"], cast.agent.id)
    third = make_case(client, cast.manager, bakery["id"], cast.manager.id, category="billing")
    later = clock.now() + timedelta(minutes=20)
    with transaction(sessions) as s:
        for case_id, amount, currency in (
            (first["id"], "1500", "THB"),
            (second["id"], "40", "EUR"),
            (third["id"], "60", "EUR"),
        ):
            flows.perform_steps(
                s,
                case_id,
                actor=OPERATOR,
                now=later,
                playbook=DEFAULT_PLAYBOOK,
                steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
                compensation=flows.CompensationInput(
                    "credit", Decimal(amount), currency, "for the loss"
                ),
                call_note="Called the customer and told them.",
            )
        flows.perform_steps(
            s,
            first["id"],
            actor=OPERATOR,
            now=later,
            playbook=DEFAULT_PLAYBOOK,
            steps=[Step.CLOSE],
            outcome=Outcome.RETAINED,
            call_note="Called the customer and told them.",
        )
    clock.advance(timedelta(days=40))
    return cafe, bakery


def _table(html: str, table_id: str) -> list[list[str]]:
    """The data-value of every cell of a table, row by row."""
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert body, f"no table {table_id}"
    return [
        re.findall(r'data-value="([^"]*)"', row)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
        if "data-value" in row
    ]


def _shown(value: Any) -> str:
    return "None" if value is None else str(value)


def test_dashboard_tables_equal_the_report_and_money_stays_per_currency(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    _workspace(client, sessions, clock, cast)
    sign_in(client, cast.manager.email)
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert 'src="/static/chartjs/chart.umd.min.js"' in html
    assert html.count('class="chart"') >= 8
    with transaction(sessions) as s:
        report = reports.recovery_report(s, actor=OPERATOR, now=clock.now())
        book = ledger.ledger_report(s, actor=OPERATOR, now=clock.now())
    # The API answers the very same object.
    api = client.get("/api/v1/reports/recovery", headers=cast.manager.headers).json()
    assert api == report

    assert _table(html, "t-ack") == [[str(b["cases"])] for b in report["ack_distribution"]]
    assert _table(html, "t-weekly") == [
        [
            str(w["cases"]),
            _shown(w["ack_within_sla_pct"]),
            _shown(w["remedy_within_sla_pct"]),
            _shown(w["close_within_sla_pct"]),
        ]
        for w in report["sla_by_week"]
    ]
    assert _table(html, "t-owners") == [
        [str(o["cases"]), _shown(o["handoffs_per_case"]), _shown(o["one_interaction_pct"])]
        for o in report["by_owner"]
    ]
    assert _table(html, "t-outcomes") == [
        [str(n), _shown(report["outcomes"][name])] for name, n in report["outcome_counts"].items()
    ]
    assert report["outcome_counts"] == {"retained": 1}
    assert _table(html, "t-repeats") == [
        [str(report["cases"])],
        [str(report["repeats"])],
        [_shown(report["repeat_pct"])],
    ]
    paradox = report["recovery_paradox"]
    assert _table(html, "t-paradox") == [
        [_shown(paradox["recovered"][key]), _shown(paradox["never_failed"][key])]
        for key in ("customers", "retention_pct", "answers", "csat_mean", "nps")
    ]
    assert _table(html, "t-ages") == [[str(a["cases"])] for a in report["open_by_age"]]
    assert sum(a["cases"] for a in report["open_by_age"]) == 2

    # Money: one row per currency, each its own sum; nothing adds THB to EUR.
    assert book["total"]["given"] == {"EUR": "100.00", "THB": "1500.00"}
    money = _table(html, "t-money")
    assert [row[0] for row in money] == ["100.00", "1500.00"]
    assert [row[1] for row in money] == [
        book["total"]["earned_since"].get(c, "") for c in ("EUR", "THB")
    ]
    for currency in ("EUR", "THB"):
        assert _table(html, f"t-money-{currency}") == [
            [m["given"].get(currency, ""), m["earned_since"].get(currency, "")]
            for m in book["months"]
        ]
    assert "1600" not in html


def test_tables_follow_the_period_and_the_team(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    _workspace(client, sessions, clock, cast)
    with transaction(sessions) as s:
        desk = people.create_team(s, actor=OPERATOR, name="Desk", now=clock.now())
        people.set_team(
            s, actor=OPERATOR, user=people.get_user(s, cast.manager.id), team=desk, now=clock.now()
        )
        desk_id = desk.id
    sign_in(client, cast.owner.email)
    html = client.get(f"/?period=7&team={desk_id}").text
    with transaction(sessions) as s:
        recent = reports.recovery_report(
            s,
            actor=OPERATOR,
            since=clock.now() - timedelta(days=7),
            team_id=desk_id,
            now=clock.now(),
        )
        team_all = reports.recovery_report(s, actor=OPERATOR, team_id=desk_id, now=clock.now())
    assert recent["cases"] == 0  # every case was opened forty days ago
    assert _table(html, "t-repeats")[0] == ["0"]
    assert team_all["cases"] == 1  # the manager's own case only
    html = client.get(f"/reports?team={desk_id}").text
    assert _table(html, "t-summary")[0] == ["1"]


def test_agents_get_their_inbox_at_home_and_managers_the_dashboard(
    client: TestClient, cast: Cast
) -> None:
    sign_in(client, cast.agent.email)
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/cases"
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/compensation.csv").status_code == 403
    client.cookies.clear()
    sign_in(client, cast.manager.email)
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 200
    assert 'href="/reports"' in home.text


def test_compensation_ledger_csv_neutralises_a_formula_in_a_customer_name(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    _workspace(client, sessions, clock, cast)
    sign_in(client, cast.manager.email)
    page = client.get("/reports/compensation")
    assert page.status_code == 200
    response = client.get("/reports/compensation.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["customer"] for row in rows} == {"'" + HYPERLINK, "Pekáreň U Nováka s.r.o."}
    assert sorted((row["amount"], row["currency"]) for row in rows) == [
        ("1500.00", "THB"),
        ("40.00", "EUR"),
        ("60.00", "EUR"),
    ]
    report = client.get("/reports/recovery.csv")
    assert report.status_code == 200
    first = next(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert first["group"] == "all"
    assert first["cases"] == "3"


def test_a_report_period_given_as_a_number_is_refused_not_read_as_a_unix_time(
    client: TestClient, cast: Cast
) -> None:
    for since in ("11", "5.1126566213586135e-257", "1e5", "nan"):
        refused = client.get(
            "/api/v1/reports/recovery", params={"since": since}, headers=cast.manager.headers
        )
        assert refused.status_code == 422, (since, refused.text)
    fine = client.get(
        "/api/v1/reports/recovery",
        params={"since": "2026-05-01T00:00:00+02:00"},
        headers=cast.manager.headers,
    )
    assert fine.status_code == 200, fine.text
