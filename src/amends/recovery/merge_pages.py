"""The forms that merge a case into another (and undo it), split messages off into a new
case, and change many cases at once from the inbox. Each posts, calls the same
``recovery.merging`` / ``recovery.bulk`` functions as the API and the CLI, and redirects;
a refusal shows the case page again with the reason in the user's language."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Path
from fastapi.responses import RedirectResponse, Response

from amends.cases.merges import active_merge
from amends.cases.rules import Category, Severity, case_id_of
from amends.errors import AmendsError, InvalidInput
from amends.fields import MAX_DB_INT
from amends.people.deps import SignedIn
from amends.recovery import bulk, merging, splitting
from amends.recovery.pages import CaseForm, CasePost, Extra, Refusal, case_page
from amends.text.digits import is_digits
from amends.web import forms
from amends.web.deps import AppClock, AppPlaybook, DbSession
from amends.web.i18n import refusal, translations

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Csrf = Annotated[str, Form(max_length=100)]
# The inbox's filters a bulk change returns to; anything else in ``back`` is dropped.
_INBOX_KEYS = ("q", "scope", "state", "severity", "category", "owner", "language", "overdue")


def _refused_page(page: CaseForm, case_id: int, exc: AmendsError, form: str) -> Response:
    user = page.user
    text = refusal(exc, translations(user.ctx.language).gettext, user.ctx)
    extra = Extra(refusal=Refusal(text, exc.message, exc.code), form=form)
    return case_page(
        page.request,
        page.session,
        user,
        page.clock,
        page.playbook,
        case_id,
        extra=extra,
        status_code=exc.status,
    )


def _int(value: str) -> int:
    if not is_digits(value.strip()) or len(value.strip()) > 9:
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
    kept = [(k, v) for k, v in parse_qsl(back) if k in _INBOX_KEYS and v]

    def act() -> bulk.BulkResult:
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
        return bulk.apply(
            session,
            [_int(i) for i in case_ids or []],
            change=change,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
        )

    def inbox(*said: tuple[str, str]) -> Response:
        return RedirectResponse("/cases?" + urlencode([*kept, *said]), status_code=303)

    return forms.form_action(
        session,
        user.csrf_token,
        csrf_token,
        act,
        refused=lambda error: inbox(("bulk_error", error.code)),
        done=lambda result: inbox(
            ("bulk_done", str(len(result.done))), ("bulk_refused", str(len(result.refused)))
        ),
    )


@router.post("/cases/{case_id}/merge")
def merge(
    page: CasePost,
    case_id: CaseId,
    csrf_token: Csrf = "",
    into: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    return page.answer(
        csrf_token,
        lambda: merging.merge_cases(
            page.session,
            case_id,
            into=case_id_of(into),
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
        ),
        refused=lambda error: _refused_page(page, case_id, error, "merge"),
        done=lambda merged: RedirectResponse(
            f"/cases/{merged.target_id}?done=merged#merge", status_code=303
        ),
    )


@router.post("/cases/{case_id}/merge/undo")
def undo_merge(
    page: CasePost,
    case_id: CaseId,
    csrf_token: Csrf = "",
) -> Response:
    # Refused, the page shown is the one the form was on: the case it is merged into.
    merge = active_merge(page.session, case_id)
    shown = merge.target_id if merge is not None else case_id
    return page.answer(
        csrf_token,
        lambda: merging.undo_merge(
            page.session,
            case_id,
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
        ),
        refused=lambda error: _refused_page(page, shown, error, "merge"),
        done=lambda _: RedirectResponse(f"/cases/{case_id}?done=unmerged", status_code=303),
    )


@router.post("/cases/{case_id}/split")
def split(
    page: CasePost,
    case_id: CaseId,
    csrf_token: Csrf = "",
    messages: Annotated[list[str] | None, Form(max_length=500)] = None,
    title: Annotated[str, Form(max_length=300)] = "",
    category: Annotated[str, Form(max_length=30)] = "",
    owner: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    return page.answer(
        csrf_token,
        lambda: splitting.split_case(
            page.session,
            case_id,
            message_ids=[_int(m) for m in messages or []],
            actor=page.user.actor,
            now=page.clock.now(),
            playbook=page.playbook,
            title=title.strip() or None,
            category=Category(category) if category in set(Category) else None,
            owner_id=_int(owner) if owner else None,
        ),
        refused=lambda error: _refused_page(page, case_id, error, "split"),
        done=lambda new: RedirectResponse(f"/cases/{new.id}?done=split", status_code=303),
    )
