"""The demo's one systemic failure: a booking system update that failed five customers
in four languages forms one pattern named after it, and the demo's other complaints,
several of them "quality" too, stay out of it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.clock import FrozenClock
from amends.config import Settings
from amends.customers.models import Customer
from amends.db import transaction
from amends.patterns import reading
from amends.patterns.models import Pattern
from amends.people.rules import OPERATOR
from tests.helpers import load_demo


@pytest.mark.slow
def test_the_demo_forms_one_pattern_of_the_five_tablepilot_cases(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    load_demo(sessions, settings, clock.now())
    with transaction(sessions) as s:
        (pattern,) = s.scalars(select(Pattern)).all()
        shown = reading.present(s, [pattern], actor=OPERATOR)[0]
        assert shown.title == "TablePilot"
        assert shown.customers == 5
        named = s.scalars(select(Case.id).where(Case.title.contains("TablePilot"))).all()
        assert sorted(shown.case_ids) == sorted(named) and len(named) == 5
        languages = set(
            s.scalars(
                select(Customer.language)
                .join(Case, Case.customer_id == Customer.id)
                .where(Case.id.in_(named))
            )
        )
        assert languages == {"en", "th", "sk", "el"}
        other_quality = s.scalars(
            select(Case.id).where(Case.category == "quality", Case.id.not_in(named))
        ).all()
        assert len(other_quality) >= 4  # unrelated complaints sharing the category
