"""Every draft the product writes passes its own check: each step, each language, each
demo case (the issue of a Thai draft refused for naming the "courier company")."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases.models import Case
from amends.cases.rules import case_ref
from amends.clock import FrozenClock
from amends.coach import service as coach
from amends.coach.rules import check
from amends.coach.templates import REQUIRED, STEPS
from amends.config import Settings
from amends.db import transaction
from amends.people.rules import OPERATOR
from amends.text.languages import SPOKEN
from tests.helpers import load_demo


@pytest.mark.slow
def test_every_draft_of_every_step_in_every_language_passes_the_coach(
    settings: Settings, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    load_demo(sessions, settings, clock.now())
    refused: list[str] = []
    drafted = 0
    with transaction(sessions) as s:
        case_ids = list(s.scalars(select(Case.id).order_by(Case.id)))
        assert len(case_ids) >= 20
        for case_id in case_ids:
            for step in STEPS:
                for language in SPOKEN:
                    draft = coach.draft(
                        s,
                        case_id,
                        step=step,
                        lang=language,
                        actor=OPERATOR,
                        now=clock.now(),
                        business=settings.workspace_name,
                    )
                    drafted += 1
                    # Checked again here, as `coach check` would check the text pasted in.
                    found = check(str(draft["text"]), language, required=REQUIRED[step])
                    codes = [f.code for f in found.findings] + [
                        str(f["code"]) for f in draft["findings"]
                    ]
                    if codes:
                        refused.append(f"{case_ref(case_id)} {step} {language}: {codes}")
    assert drafted == len(case_ids) * len(STEPS) * len(SPOKEN)
    assert refused == [], "\n".join(refused)
