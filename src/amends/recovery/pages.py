"""The case page: a case with its messages, steps, compensation and people, which shows
several domains at once. It is also where an agent works the case: every form posts to a
URL under ``/cases/{id}/`` (``step_pages``, ``statement_pages``, ``merge_pages``) and
calls the same ``recovery.flows`` the API and the CLI call, then redirects back
(POST-redirect-GET) with a short result message. A refusal renders the page again with
its reason in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from babel import Locale
from babel.numbers import format_percent
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import routing
from amends.cases import service as cases
from amends.cases.merges import merged_into
from amends.cases.models import Case
from amends.cases.rules import STEPS, CaseState, Outcome, Step
from amends.clock import Clock
from amends.coach import service as coach
from amends.coach.templates import STEPS as DRAFT_STEPS
from amends.compensation import service as compensations
from amends.compensation.rules import CompensationKind, CompensationStatus
from amends.customers.models import Customer
from amends.desk import replies as saved_replies
from amends.desk.rules import POLL_SECONDS
from amends.errors import AmendsError
from amends.fields import MAX_DB_INT
from amends.messages import service as messages
from amends.messages.models import OutboxItem
from amends.people.deps import PageUser, SignedIn
from amends.people.rules import Action, Role, can_own_cases
from amends.playbook.policy import Playbook
from amends.recovery import merging
from amends.recovery import view as case_views
from amends.recovery.facts import CaseFacts
from amends.recovery.wording import (
    DRAFT_FOR_STEP,
    DRAFT_LABELS,
    FINDING_LABELS,
    OUTBOX_LABELS,
    REFUSALS,
    RESULTS,
    coach_view,
)
from amends.surveys import service as surveys
from amends.web import forms
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.i18n import say, translations
from amends.web.render import render
from amends.web.session import check_csrf

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Csrf = Annotated[str, Form(max_length=100)]
# The hand-off list counts a colleague's open cases this far and then says "or more".
BUSY_FROM = 100


@dataclass
class Composer:
    """The reply box as the page shows it: the text and what the coach found in it."""

    text: str = ""
    template: str = ""
    override_open: bool = False
    coach: dict[str, Any] | None = None
    seen: int | None = None  # the newest message the writer had read, as the form said


@dataclass
class Refusal:
    text: str
    detail: str
    code: str
    generic: bool = False  # the text is the code's general sentence; the detail says more


@dataclass
class Extra:
    composer: Composer = field(default_factory=Composer)
    refusal: Refusal | None = None
    form: str = ""  # which form the refusal belongs to, so it is shown beside it


def _gettext(user: PageUser) -> Callable[[str], str]:
    return translations(user.ctx.language).gettext


def _refusal(user: PageUser, exc: AmendsError, form: str) -> Extra:
    _ = _gettext(user)
    message = REFUSALS.get(exc.code) or REFUSALS.get(type(exc).code, "")
    text = _(message) if message else _("This could not be done.")
    if exc.extra.get("missing"):
        text = _("The playbook for this case requires %(steps)s before “%(step)s”.") % {
            "steps": ", ".join(_(s) for s in exc.extra["missing"]),
            "step": _(str(exc.extra.get("step", ""))),
        }
    elif exc.extra.get("repeated"):
        text = _("Already done: %(steps)s.") % {
            "steps": ", ".join(_(s) for s in exc.extra["repeated"])
        }
    # A refusal whose code has no sentence of its own here, but that carries one ("weather
    # is not a category"), says that in the reader's language rather than the general one.
    specific = exc.code in REFUSALS and exc.code != type(exc).code
    own = None if specific else say(exc.extra.get("said"), _)
    if own is not None:
        text = own
    generic = not (exc.extra.get("missing") or exc.extra.get("repeated") or own)
    return Extra(refusal=Refusal(text, exc.message, exc.code, generic), form=form)


def back_to_case(case_id: int, result: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(
        f"/cases/{case_id}?done={result}{'#' + anchor if anchor else ''}", status_code=303
    )


def _checklist(case: Case, playbook: Playbook) -> list[dict[str, Any]]:
    done = set(case.steps_done.split(","))
    required = set(playbook.rule(case.severity, case.category).required)
    return [{"step": s.value, "done": s.value in done, "required": s in required} for s in STEPS]


def _next_template(case: Case, playbook: Playbook) -> str:
    done = set(case.steps_done.split(","))
    required = playbook.rule(case.severity, case.category).required
    for step in STEPS:
        if step in required and step.value not in done:
            return DRAFT_FOR_STEP[step]
    return "follow_up"


def _colleagues(session: Session, case: Case, customer: Customer | None) -> list[dict[str, Any]]:
    """Who may take the case, those speaking the customer's language first, then those
    with the fewest open cases (the one most likely to act now)."""
    speaks = customer.language if customer else ""
    people = [
        u
        for u in routing.active_with_load(session, up_to=BUSY_FROM)
        if can_own_cases(u.role) and u.id != case.owner_id
    ]
    people.sort(key=lambda u: (u.language != speaks, u.open, u.name))
    return [
        {
            "id": u.id,
            "name": u.name,
            "speaks": u.language == speaks,
            "open": u.open,
            "busy": u.open >= BUSY_FROM,
        }
        for u in people
    ]


def _language_name(code: str, ui_language: str) -> str:
    try:
        return str(Locale.parse(code).get_display_name(ui_language) or code)
    except (ValueError, TypeError):
        return code


def case_page(
    request: Request,
    session: Session,
    user: PageUser,
    clock: Clock,
    playbook: Playbook,
    case_id: int,
    *,
    extra: Extra | None = None,
    done: str | None = None,
    draft: str | None = None,
    saved: int | None = None,
    status_code: int = 200,
) -> Response:
    extra = extra or Extra()
    _ = _gettext(user)
    case = cases.get_case(session, case_id, actor=user.actor)
    customer = session.get(Customer, case.customer_id)
    events = cases.timeline(session, case_id, actor=user.actor)
    thread = messages.list_messages(session, actor=user.actor, case_id=case_id, limit=500).items
    outbox = {
        item.message_id: item.status.value
        for item in session.scalars(
            select(OutboxItem).where(OutboxItem.message_id.in_([m.id for m in thread]))
        )
    }
    # The similar cases come in their own request (case_similar below): ranking a million
    # case texts is the slowest part of the page and nothing else on it waits for it.
    view = case_views.case_view(
        session, case_id, actor=user.actor, playbook=playbook, now=clock.now(), with_similar=False
    )
    given = view.compensation.granted
    mentioned: set[int] = {case.owner_id}
    for e in events:
        mentioned |= {e.actor_id} if e.actor_id is not None else set()
        for key in ("from", "to"):
            if isinstance(e.data.get(key), int):
                mentioned.add(e.data[key])
    mentioned |= {c.requested_by for c in given if c.requested_by is not None}
    people = cases.owner_names(session, mentioned)
    composer = extra.composer
    language = customer.language if customer else None
    template = draft or composer.template or _next_template(case, playbook)
    if draft:
        drafted = coach.draft(
            session,
            case_id,
            step=draft,
            lang=None,
            actor=user.actor,
            now=clock.now(),
            business=get_settings(request).workspace_name,
        )
        composer = Composer(text=str(drafted["text"]), template=draft)
    elif saved is not None:
        settings = get_settings(request)
        filled = saved_replies.fill_for_case(
            session,
            saved,
            case_id,
            actor=user.actor,
            now=clock.now(),
            business=settings.workspace_name,
            timezone=settings.timezone,
        )
        composer = Composer(text=filled, template=template)
    if composer.text and composer.coach is None:
        composer.coach = coach_view(composer.text, language)
    # The recommendation shown is the view's (the API's), not worked out a second time.
    recommendation = view.compensation.recommended
    currency = customer.currency if customer else recommendation.currency
    return render(
        request,
        "case_detail.html",
        user.ctx,
        status_code=status_code,
        case=case,
        events=events,
        thread=thread,
        outbox=outbox,
        people=people,
        customer=customer,
        customer_language=_language_name(language or "und", user.ctx.language),
        checklist=_checklist(case, playbook),
        composer=composer,
        draft_template=template,
        draft_labels=DRAFT_LABELS,
        draft_steps=DRAFT_STEPS,
        finding_labels=FINDING_LABELS,
        outbox_labels=OUTBOX_LABELS,
        result=_(RESULTS[done]) if done in RESULTS else None,
        refusal=extra.refusal,
        refused_form=extra.form,
        compensations=given,
        recommendation=recommendation,
        currency=currency,
        limit=compensations.limit_for(session, user.actor, currency, playbook.compensation),
        kinds=[k.value for k in CompensationKind],
        outcomes=[o.value for o in Outcome],
        colleagues=_colleagues(session, case, customer),
        facts=CaseFacts(view, user.ctx.language),
        can_act=user.actor.allows(Action.WRITE) and case.state is not CaseState.CLOSED,
        can_decide=user.actor.role in {Role.MANAGER, Role.OWNER},
        is_manager=user.actor.role in {Role.MANAGER, Role.OWNER},
        reply_steps=[
            s
            for s in (Step.ACKNOWLEDGE, Step.OWN, Step.REMEDY, Step.EXPLAIN_CHANGE, Step.FOLLOW_UP)
            if s.value not in case.steps_done.split(",")
        ],
        requested=CompensationStatus.REQUESTED,
        merging=merging.panel(session, case, actor=user.actor, now=clock.now()),
        saved_replies=saved_replies.for_composer(session, actor=user.actor, language=language),
        poll_seconds=POLL_SECONDS,
        last_message_id=max((m.id for m in thread), default=0),
        survey_box=surveys.box(
            session, now=clock.now(), case_id=case_id, customer_id=case.customer_id
        ),
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_detail(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    done: Annotated[str | None, Query(max_length=30)] = None,
    draft: Annotated[str | None, Query(max_length=30)] = None,
    saved: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
) -> Response:
    if draft is not None and draft not in DRAFT_STEPS:
        draft = None
    # A merged case's ref keeps working: its page is the case it was merged into. The case
    # is held while its page is made: the session keeps a row only while it is referred
    # to, and case_page would read it again.
    _held = cases.get_case(session, case_id, actor=user.actor)
    target = merged_into(session, case_id)
    if target is not None:
        return RedirectResponse(f"/cases/{target}?merged_from={case_id}#merge", status_code=303)
    return case_page(
        request, session, user, clock, playbook, case_id, done=done, draft=draft, saved=saved
    )


@router.get("/cases/{case_id}/similar", response_class=HTMLResponse)
def case_similar(
    request: Request,
    session: DbSession,
    user: SignedIn,
    case_id: CaseId,
) -> Response:
    """The case page's similar cases: the fragment the page loads (htmx), or a page of
    its own when followed as a link without JavaScript."""
    similar = case_views.similar_view(session, case_id, actor=user.actor)
    fragment = request.headers.get("HX-Request") == "true"
    locale = Locale.parse(user.ctx.language)
    return render(
        request,
        "_similar_cases.html" if fragment else "similar_cases.html",
        user.ctx,
        case_id=case_id,
        similar=similar,
        score=lambda value: format_percent(value, locale=locale),
    )


@router.post("/cases/{case_id}/coach", response_class=HTMLResponse)
def coach_findings(
    request: Request,
    session: DbSession,
    user: SignedIn,
    case_id: CaseId,
    csrf_token: Csrf = "",
    text: Annotated[str, Form(max_length=50_000)] = "",
) -> Response:
    """The findings fragment the reply box asks for while the agent types (htmx)."""
    check_csrf(user.csrf_token, csrf_token)
    case = cases.get_case(session, case_id, actor=user.actor)
    customer = session.get(Customer, case.customer_id)
    view = coach_view(text, customer.language if customer else None) if text.strip() else None
    return render(
        request,
        "coach_findings.html",
        user.ctx,
        coach=view,
        finding_labels=FINDING_LABELS,
        customer=customer,
    )


def refusal_page(
    request: Request,
    session: Session,
    user: PageUser,
    clock: Clock,
    playbook: Playbook,
    case_id: int,
    exc: AmendsError,
    form: str,
    composer: Composer | None = None,
) -> Response:
    extra = _refusal(user, exc, form)
    if composer is not None:
        extra.composer = composer
    return case_page(
        request, session, user, clock, playbook, case_id, extra=extra, status_code=exc.status
    )


@dataclass(frozen=True)
class CaseForm:
    """What a form on the case page is answered with besides its own fields: the request,
    its session, who sent it, the clock and the playbook (``CasePost`` in a route)."""

    request: Request
    session: Session
    user: PageUser
    clock: Clock
    playbook: Playbook

    def refused(
        self, case_id: int, exc: AmendsError, form: str, composer: Composer | None = None
    ) -> Response:
        return refusal_page(
            self.request,
            self.session,
            self.user,
            self.clock,
            self.playbook,
            case_id,
            exc,
            form,
            composer,
        )

    def act(
        self,
        case_id: int,
        csrf_token: str,
        action: Callable[[], T],
        *,
        form: str,
        result: str | Callable[[T], str],
        anchor: str = "",
        composer: Callable[[AmendsError], Composer] | None = None,
    ) -> Response:
        """The form's answer: refused, the case page again with the reason beside ``form``
        (and the reply box as ``composer`` makes it); done, back to the case saying
        ``result``, which may be read from what the action returned."""

        def refused(exc: AmendsError) -> Response:
            return self.refused(case_id, exc, form, composer(exc) if composer else None)

        def done(value: T) -> Response:
            return back_to_case(case_id, result(value) if callable(result) else result, anchor)

        return self.answer(csrf_token, action, refused=refused, done=done)

    def answer(
        self,
        csrf_token: str,
        action: Callable[[], T],
        *,
        refused: Callable[[AmendsError], Response],
        done: Callable[[T], Response],
    ) -> Response:
        """``forms.form_action`` for this request: a form that answers in its own way."""
        return forms.form_action(
            self.session, self.user.csrf_token, csrf_token, action, refused=refused, done=done
        )


def _case_form(
    request: Request, session: DbSession, user: SignedIn, clock: AppClock, playbook: AppPlaybook
) -> CaseForm:
    return CaseForm(request, session, user, clock, playbook)


CasePost = Annotated[CaseForm, Depends(_case_form)]
