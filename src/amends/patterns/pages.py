"""The patterns page: themes to focus on, systemic patterns and what was changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from amends.config import Settings
from amends.patterns import actions, themes
from amends.patterns import service as patterns
from amends.people.deps import SignedIn
from amends.people.rules import Action
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.render import render

router = APIRouter(include_in_schema=False)
SHOWN = 100


@router.get("/patterns", response_class=HTMLResponse)
def patterns_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    actor = user.actor
    now = clock.now()
    found = patterns.list_patterns(session, actor=actor, limit=SHOWN).items
    listed = actions.list_actions(session, actor=actor, limit=SHOWN).items
    # Themes add up every case, so only those who may read the whole workspace see them.
    focus = None
    if actor.allows(Action.READ):
        focus = themes.themes(
            session,
            actor=actor,
            now=now,
            window=playbook.patterns.window,
            currency=settings.currency,
        )
        for theme in focus["themes"]:
            theme["at_stake"] = [
                (Decimal(amount), currency)
                for currency, amount in theme["revenue_at_stake"].items()
            ]
    return render(
        request,
        "patterns.html",
        user.ctx,
        themes=focus,
        patterns=patterns.present(session, found, actor=actor),
        actions=actions.present(session, listed, actor=actor, now=now, policy=playbook.patterns),
    )
