"""The forms that merge a case into another (and undo it), split messages off into a new
case, and change many cases at once from the inbox. Each posts, calls the same
``recovery.merging`` / ``recovery.bulk`` functions as the API and the CLI, and redirects;
a refusal shows the case page again with the reason in the user's language."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from amends.cases.merges import active_merge
from amends.cases.rules import Category, Severity, case_id_of
from amends.clock import Clock
from amends.errors import AmendsError, InvalidInput
from amends.fields import MAX_DB_INT
from amends.people.deps import PageUser, SignedIn
from amends.playbook.policy import Playbook
from amends.recovery import bulk, merging
from amends.recovery.pages import Extra, Refusal, case_page
from amends.web import forms
from amends.web.deps import AppClock, AppPlaybook, DbSession
from amends.web.i18n import refusal, translations
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Csrf = Annotated[str, Form(max_length=100)]
# The inbox's filters a bulk change returns to; anything else in ``back`` is dropped.
_INBOX_KEYS = ("q", "scope", "state", "severity", "category", "owner", "language", "overdue")


def _refused_page(
    request: Request,
    session: Session,
    user: PageUser,
    clock: Clock,
    playbook: Playbook,
    case_id: int,
    exc: AmendsError,
    form: str,
) -> Response:
    text = refusal(exc, translations(user.ctx.language).gettext, user.ctx)
    extra = Extra(refusal=Refusal(text, exc.message, exc.code), form=form)
    return case_page(
        request, session, user, clock, playbook, case_id, extra=extra, status_code=exc.status
    )


def _int(value: str) -> int:
    if not value.strip().isdigit() or len(value.strip()) > 9:
        raise InvalidInput(f"{value!r} is not a choice here", code="invalid-input")
    return int(value)


@router.post("/cases/bulk")
def change_many(
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    csrf_token: Csrf = "",
    case_ids: Annotated[list[str] | None, Form(max_length=200)] = None,
    action: Annotated[str, Form(max_length=20)] = "",
    to_user_id: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    category: Annotated[str, Form(max_length=30)] = "",
    severity: Annotated[str, Form(max_length=20)] = "",
    into: Annotated[str, Form(max_length=20)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The inbox's checkboxes: one change to each chosen case, then back to the inbox
    (with its filters) saying how many changed and how many were refused."""
    check_csrf(user.csrf_token, csrf_token)
    kept = [(k, v) for k, v in parse_qsl(back) if k in _INBOX_KEYS and v]
    outcome: list[bulk.BulkResult] = []

    def act() -> None:
        chosen = bulk.BulkAction(action) if action in set(bulk.BulkAction) else None
        if chosen is None:
            raise InvalidInput("choose what to change", code="bulk-value-missing")
        change = bulk.BulkChange(
            chosen,
            owner_id=_int(to_user_id) if to_user_id else None,
            reason=reason,
            category=Category(category) if category in set(Category) else None,
            severity=Severity(severity) if severity in set(Severity) else None,
            into=case_id_of(into) if into.strip() else None,
        )
        outcome.append(
            bulk.apply(
                session,
                [_int(i) for i in case_ids or []],
                change=change,
                actor=user.actor,
                now=clock.now(),
                playbook=playbook,
            )
        )

    error = forms.attempt(session, act)
    if error is not None:
        kept.append(("bulk_error", error.code))
    else:
        result = outcome[0]
        kept += [("bulk_done", str(len(result.done))), ("bulk_refused", str(len(result.refused)))]
    return RedirectResponse("/cases?" + urlencode(kept), status_code=303)


@router.post("/cases/{case_id}/merge")
def merge(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    csrf_token: Csrf = "",
    into: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    done: list[int] = []

    def act() -> None:
        merged = merging.merge_cases(
            session,
            case_id,
            into=case_id_of(into),
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
        )
        done.append(merged.target_id)

    error = forms.attempt(session, act)
    if error is not None:
        return _refused_page(request, session, user, clock, playbook, case_id, error, "merge")
    return RedirectResponse(f"/cases/{done[0]}?done=merged#merge", status_code=303)


@router.post("/cases/{case_id}/merge/undo")
def undo_merge(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    csrf_token: Csrf = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    merge = active_merge(session, case_id)
    shown = merge.target_id if merge is not None else case_id
    error = forms.attempt(
        session,
        lambda: merging.undo_merge(
            session, case_id, actor=user.actor, now=clock.now(), playbook=playbook
        ),
    )
    if error is not None:
        return _refused_page(request, session, user, clock, playbook, shown, error, "merge")
    return RedirectResponse(f"/cases/{case_id}?done=unmerged", status_code=303)


@router.post("/cases/{case_id}/split")
def split(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    csrf_token: Csrf = "",
    messages: Annotated[list[str] | None, Form(max_length=500)] = None,
    title: Annotated[str, Form(max_length=300)] = "",
    category: Annotated[str, Form(max_length=30)] = "",
    owner: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    made: list[int] = []

    def act() -> None:
        new = merging.split_case(
            session,
            case_id,
            message_ids=[_int(m) for m in messages or []],
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            title=title.strip() or None,
            category=Category(category) if category in set(Category) else None,
            owner_id=_int(owner) if owner else None,
        )
        made.append(new.id)

    error = forms.attempt(session, act)
    if error is not None:
        return _refused_page(request, session, user, clock, playbook, case_id, error, "split")
    return RedirectResponse(f"/cases/{made[0]}?done=split", status_code=303)
