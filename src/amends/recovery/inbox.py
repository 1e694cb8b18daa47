"""The inbox (``/cases``, template cases/templates/case_list.html) and the case list of
the API, both with search.

They live here rather than in ``cases`` because search reads messages, customers and
the case texts of ``patterns`` (see ``patterns.search``), all above ``cases``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.units import format_unit
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic_core import to_json
from sqlalchemy import select

from amends.cases import inbox, service
from amends.cases.api import FilterId
from amends.cases.rules import CaseState, Category, Severity
from amends.cases.schemas import CasePage
from amends.errors import InvalidInput
from amends.fields import SearchWords
from amends.patterns.models import PatternCase
from amends.patterns.search import matching
from amends.people.deps import ApiActor, PageUser, SignedIn
from amends.people.rules import Action
from amends.recovery.wording import BULK_REFUSALS
from amends.text.languages import SPOKEN
from amends.web.deps import AppClock, DbSession
from amends.web.i18n import translations
from amends.web.problems import PROBLEM_RESPONSES
from amends.web.render import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["cases"], responses=PROBLEM_RESPONSES)

Search = Annotated[
    SearchWords,
    Query(
        max_length=200,
        description="words of a ref, a customer's name or address, or the case's "
        "title and messages (accents and case ignored; every word must be found)",
    ),
]
PAGE_SIZE = 50


class SortOrder(StrEnum):
    OPENED = "opened"
    URGENCY = "urgency"


@api_router.get("/cases", response_model=CasePage)
def list_cases(
    session: DbSession,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    state: CaseState | None = None,
    open: Annotated[bool | None, Query(description="only open (true) or closed (false)")] = None,
    owner_id: FilterId = None,
    customer_id: FilterId = None,
    severity: Severity | None = None,
    category: Category | None = None,
    sort: Annotated[
        SortOrder, Query(description="opened: newest first; urgency: nearest SLA deadline first")
    ] = SortOrder.OPENED,
    q: Search = "",
) -> Response:
    f = service.CaseFilter(
        state=state,
        is_open=open,
        owner_id=owner_id,
        customer_id=customer_id,
        severity=severity,
        category=category,
        by_urgency=sort is SortOrder.URGENCY,
    )
    page = service.list_case_views(
        session, actor=actor, f=f, limit=limit, offset=offset, matching=matching(session, q)
    )
    body = {
        "items": page.items,
        "limit": page.limit,
        "offset": page.offset,
        "next_offset": page.next_offset,
    }
    # Serialised here (pydantic's own JSON writer, in Rust) rather than validated again
    # by FastAPI: the owners' list is the page every agent keeps open.
    return Response(to_json(body), media_type="application/json")


def _choice(value: str, allowed: Any, name: str) -> Any:
    """A select's value: empty is "any" (None); anything not offered is refused."""
    if not value:
        return None
    try:
        return allowed(value)
    except ValueError:
        raise InvalidInput(
            f"{name} {value!r} is not one of the choices", code="bad-filter"
        ) from None


def _state(value: str) -> str:
    if value in {s.value for s in inbox.StateFilter} | {s.value for s in CaseState}:
        return value
    if not value:
        return inbox.StateFilter.OPEN
    raise InvalidInput(f"state {value!r} is not one of the choices", code="bad-filter")


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    q: Search = "",
    scope: Annotated[str, Query(max_length=10)] = "",
    state: Annotated[str, Query(max_length=30)] = "",
    severity: Annotated[str, Query(max_length=20)] = "",
    category: Annotated[str, Query(max_length=30)] = "",
    owner: Annotated[str, Query(max_length=12, pattern=r"^\d*$")] = "",
    language: Annotated[str, Query(max_length=35)] = "",
    overdue: Annotated[str, Query(max_length=5)] = "",
    after: Annotated[str, Query(max_length=80)] = "",
    bulk_done: Annotated[int | None, Query(ge=0, le=1000)] = None,
    bulk_refused: Annotated[int, Query(ge=0, le=1000)] = 0,
    bulk_error: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    now = clock.now()
    q = q.strip()
    chosen_scope = _choice(scope, inbox.Scope, "scope")
    if chosen_scope is None:
        # Searching looks through every case one may see; the inbox starts with one's own.
        chosen_scope = inbox.Scope.ALL if q else inbox.Scope.MINE
    if chosen_scope is inbox.Scope.ALL and not user.actor.allows(Action.READ):
        chosen_scope = inbox.Scope.TEAM
    f = inbox.InboxFilter(
        scope=chosen_scope,
        # Searching looks for a case whatever its state, unless a state is chosen.
        state=_state(state) if state or not q else inbox.StateFilter.ANY,
        severity=_choice(severity, Severity, "severity"),
        category=_choice(category, Category, "category"),
        owner_id=int(owner) if owner else None,
        language=language.strip() or None,
        overdue=overdue in {"1", "true", "on"},
        matching=matching(session, q),
    )
    page = inbox.page(session, actor=user.actor, f=f, now=now, after=after or None, limit=PAGE_SIZE)
    # Beside a search the numbers are left out: a word found in many cases would cost
    # each count a search of its own.
    counts = {} if q else inbox.counts(session, actor=user.actor, f=f, now=now)
    ids = [r.case.id for r in page.rows]
    in_pattern = (
        set(session.scalars(select(PatternCase.case_id).where(PatternCase.case_id.in_(ids))))
        if ids
        else set()
    )
    params = {
        "q": q,
        "scope": f.scope.value,
        "state": f.state,
        "severity": severity,
        "category": category,
        "owner": owner,
        "language": language,
        "overdue": "1" if f.overdue else "",
    }
    kept = {k: v for k, v in params.items() if v}
    language_code = user.ctx.language
    # Read once for the owner filter and the bulk form's "give to".
    shows_owners = user.actor.allows(Action.READ) or user.actor.allows(Action.WRITE)
    owners = inbox.owners(session) if shows_owners else []
    return render(
        request,
        "case_list.html",
        user.ctx,
        rows=page.rows,
        next_link="/cases?" + urlencode({**kept, "after": page.after}) if page.after else None,
        first_link="/cases?" + urlencode(kept) if after else None,
        f=f,
        q=q,
        params=params,
        counts=counts,
        counted_up_to=inbox.COUNTED_UP_TO,
        scopes=list(inbox.Scope) if user.actor.allows(Action.READ) else inbox.LIMITED_SCOPES,
        states=[*inbox.StateFilter, *CaseState],
        severities=list(Severity),
        categories=list(Category),
        # Who owns what is workspace knowledge: not for those who see only their own.
        owners=owners if user.actor.allows(Action.READ) else [],
        languages=SPOKEN,
        in_pattern=in_pattern,
        countdown=lambda due: countdown(due, now, language_code),
        bulk=_bulk_form(user, owners, kept, bulk_done, bulk_refused, bulk_error),
    )


def _bulk_form(
    user: PageUser,
    owners: Sequence[inbox.Owner],
    kept: dict[str, str],
    done: int | None,
    refused: int,
    error: str,
) -> dict[str, Any]:
    """The inbox's bulk change form (recovery.merge_pages) and what the last one did."""
    _ = translations(user.ctx.language).gettext
    note = ""
    if error:
        note = _(BULK_REFUSALS.get(error, "This could not be done."))
    elif done is not None:
        note = _("Changed: %(done)s. Refused: %(refused)s.") % {"done": done, "refused": refused}
    can = user.actor.allows(Action.WRITE)
    return {
        "can": can,
        "back": urlencode(kept),
        "owners": owners if can else [],
        "note": note,
        "error": bool(error or refused),
    }


def countdown(due: datetime | None, now: datetime, language: str) -> tuple[str, bool] | None:
    """(how long until ``due``, or how long past it; whether it is past)."""
    if due is None:
        return None
    left = due - now
    return duration(abs(left), language), left < timedelta(0)


def duration(span: timedelta, language: str) -> str:
    """A span as its two largest units in the locale's short form ("2 hr 15 min")."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(v, unit) for v, unit in ((days, "day"), (hours, "hour"), (mins, "minute")) if v]
    return " ".join(_unit(v, unit, language) for v, unit in (parts or [(0, "minute")])[:2])


@functools.lru_cache(maxsize=4096)
def _unit(value: int, unit: str, language: str) -> str:
    # Kept: an inbox page formats a hundred of them, and formatting is most of its time.
    return str(format_unit(value, f"duration-{unit}", length="short", locale=language))
