"""Pages that show several domains at once: a case with its messages, a customer with
their promises and cases. The case page is also where an agent works the case: every
form posts to a URL under ``/cases/{id}/`` and calls the same ``recovery.flows`` the API
and the CLI call, then redirects back (POST-redirect-GET) with a short result message.
A refusal renders the page again with its reason in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_percent
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import routing, statements
from amends.cases import service as cases
from amends.cases import steps as case_steps
from amends.cases.merges import merged_into
from amends.cases.models import Case
from amends.cases.rules import STEPS, CaseState, Outcome, Step
from amends.clock import Clock
from amends.coach import service as coach
from amends.coach.templates import STEPS as DRAFT_STEPS
from amends.commitments import ledger
from amends.commitments import service as commitments
from amends.commitments.rules import WEEKDAYS, CommitmentKind, CommitmentStatus, Repeat, rrule_for
from amends.compensation import service as compensations
from amends.compensation.rules import CompensationKind, CompensationStatus
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.customers.rules import CustomerStatus, Tier
from amends.desk import replies as saved_replies
from amends.desk.rules import POLL_SECONDS
from amends.errors import AmendsError, InvalidInput, NotFound
from amends.fields import MAX_DB_INT
from amends.messages import service as messages
from amends.messages.models import OutboxItem
from amends.people.deps import PageUser, SignedIn
from amends.people.models import User
from amends.people.rules import Action, Role, can_own_cases
from amends.playbook.policy import Playbook
from amends.recovery import conversation, customer_pages, fit, flows, merging, parting
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
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.i18n import translations
from amends.web.render import render
from amends.web.session import check_csrf
from amends.winback import service as winback

router = APIRouter(include_in_schema=False)
router.include_router(customer_pages.router)
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
    generic = not (exc.extra.get("missing") or exc.extra.get("repeated"))
    return Extra(refusal=Refusal(text, exc.message, exc.code, generic), form=form)


def _attempt(session: Session, action: Callable[[], Any]) -> AmendsError | None:
    """Run ``action`` in a savepoint: refused, nothing of it is kept and the page says why;
    the request's transaction still commits whatever else it holds (nothing, here)."""
    try:
        with session.begin_nested():
            action()
    except NotFound:
        raise
    except AmendsError as exc:
        return exc
    return None


def _back(case_id: int, result: str, anchor: str = "") -> RedirectResponse:
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
        for u in session.scalars(select(User).where(User.active))
        if can_own_cases(u.role) and u.id != case.owner_id
    ]
    load = routing.open_cases(session, [u.id for u in people], up_to=BUSY_FROM)
    people.sort(key=lambda u: (u.language != speaks, load.get(u.id, 0), u.name))
    return [
        {
            "id": u.id,
            "name": u.name,
            "speaks": u.language == speaks,
            "open": load.get(u.id, 0),
            "busy": load.get(u.id, 0) >= BUSY_FROM,
        }
        for u in people
    ]


def _language_name(code: str, ui_language: str) -> str:
    try:
        return str(Locale.parse(code).get_display_name(ui_language) or code)
    except (ValueError, TypeError):
        return code


def _case_page(
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
    given = compensations.for_case(session, case_id)
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
    recommendation = compensations.recommendation_for(
        session, case, now=clock.now(), policy=playbook.compensation
    )
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
        facts=CaseFacts(
            # The similar cases come in their own request (case_similar below): ranking a
            # million case texts is the slowest part of the page and nothing else on it
            # waits for it.
            case_views.case_view(
                session,
                case_id,
                actor=user.actor,
                playbook=playbook,
                now=clock.now(),
                with_similar=False,
            ),
            user.ctx.language,
        ),
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
    # A merged case's ref keeps working: its page is the case it was merged into.
    cases.get_case(session, case_id, actor=user.actor)
    target = merged_into(session, case_id)
    if target is not None:
        return RedirectResponse(f"/cases/{target}?merged_from={case_id}#merge", status_code=303)
    return _case_page(
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


def _refused(
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
    return _case_page(
        request, session, user, clock, playbook, case_id, extra=extra, status_code=exc.status
    )


@router.post("/cases/{case_id}/steps")
def perform_step(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    step: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    call_note: Annotated[str, Form(max_length=5000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    refused = _attempt(
        session,
        lambda: flows.perform_steps(
            session,
            case_id,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            steps=[_choice(Step, step)],
            note=note.strip(),
            call_note=call_note.strip() or None,
        ),
    )
    if refused is not None:
        return _refused(request, session, user, clock, playbook, case_id, refused, "steps")
    return _back(case_id, "steps", "playbook")


@router.post("/cases/{case_id}/replies")
def send_reply(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    csrf_token: Csrf = "",
    text: Annotated[str, Form(max_length=50_000)] = "",
    steps: Annotated[list[str] | None, Form()] = None,
    override_reason: Annotated[str, Form(max_length=2000)] = "",
    template: Annotated[str, Form(max_length=30)] = "",
    offer_kind: Annotated[str, Form(max_length=30)] = "",
    offer_amount: Annotated[str, Form(max_length=30)] = "",
    offer_currency: Annotated[str, Form(max_length=3)] = "",
    seen_message_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Send a reply; one that offers compensation completes the compensate step with it,
    and waits in the outbox when a manager must approve what it offers. One written
    before a newer message came in is refused once, so the writer reads it first."""
    check_csrf(user.csrf_token, csrf_token)
    seen = _choice(int, seen_message_id) if seen_message_id.strip() else None
    composer = Composer(
        text=text, template=template, override_open=bool(override_reason), seen=seen
    )
    wanted = [Step(s) for s in steps or [] if s in set(Step)]
    if offer_kind and Step.COMPENSATE not in wanted:
        wanted.append(Step.COMPENSATE)
    if not text.strip():
        empty = InvalidInput("the reply is empty", code="reply-empty")
        return _refused(request, session, user, clock, playbook, case_id, empty, "reply", composer)
    sent: list[conversation.Reply] = []

    def act() -> None:
        offer = (
            flows.CompensationInput(
                offer_kind,
                _amount(offer_amount),
                offer_currency.strip().upper() or None,
                text.strip()[:200],
            )
            if offer_kind
            else None
        )
        sent.append(
            conversation.send_reply(
                session,
                case_id,
                actor=user.actor,
                now=clock.now(),
                playbook=playbook,
                text=text,
                steps=wanted,
                compensation=offer,
                override_reason=override_reason.strip() or None,
                seen_message_id=seen,
            )
        )

    refused = _attempt(session, act)
    if refused is not None:
        composer.override_open = refused.code == "coach-findings"
        return _refused(
            request, session, user, clock, playbook, case_id, refused, "reply", composer
        )
    held = sent[0].outbox.status.value == "held"
    return _back(case_id, "held" if held else "sent", "messages")


def _choice(kind: Callable[[str], T], value: str) -> T:
    """A form's choice read as the engine's value; a value the page never offered is a
    refusal on the page, not a JSON validation error."""
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a choice here", code="invalid-input") from None


def _approves(decision: str) -> bool:
    if decision not in {"approve", "decline"}:
        raise ValueError(decision)
    return decision == "approve"


def _amount(value: str) -> Decimal:
    try:
        amount = Decimal(value.strip().replace(",", ".") or "0")
    except InvalidOperation:
        raise InvalidInput("not a number", code="amount-invalid") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1e12"):
        raise InvalidInput("not an amount", code="amount-invalid")
    return amount


@router.post("/cases/{case_id}/compensation")
def give_compensation(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    kind: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    amount: Annotated[str, Form(max_length=30)] = "0",
    currency: Annotated[str, Form(max_length=3)] = "",
    rationale: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    given: list[flows.StepResult] = []

    def act() -> None:
        given.append(
            flows.compensate(
                session,
                case_id,
                actor=user.actor,
                now=clock.now(),
                playbook=playbook,
                given=flows.CompensationInput(
                    kind, _amount(amount), currency.strip().upper() or None, rationale.strip()
                ),
            )
        )

    refused = _attempt(session, act)
    if refused is not None:
        return _refused(request, session, user, clock, playbook, case_id, refused, "compensation")
    item = next(
        (c for c in compensations.for_case(session, case_id) if c.id == given[0].compensation_id),
        None,
    )
    requested = item is not None and item.status is CompensationStatus.REQUESTED
    return _back(case_id, "requested" if requested else "granted", "compensation")


@router.post("/cases/{case_id}/compensation/{compensation_id}/decision")
def decide_compensation(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    compensation_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    decision: Annotated[str, Form(max_length=10)],
    csrf_token: Csrf = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    cases.get_case(session, case_id, actor=user.actor)
    if all(c.id != compensation_id for c in compensations.for_case(session, case_id)):
        raise NotFound(
            f"compensation {compensation_id} is not on this case", code="compensation-not-found"
        )
    approve = decision == "approve"  # for the result message; _approves checks it
    refused = _attempt(
        session,
        lambda: flows.decide_compensation(
            session,
            compensation_id,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            approve=_choice(_approves, decision),
            note=note.strip(),
        ),
    )
    if refused is not None:
        return _refused(request, session, user, clock, playbook, case_id, refused, "compensation")
    return _back(case_id, "approved" if approve else "declined", "compensation")


@router.post("/cases/{case_id}/handoff")
def hand_off(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    to_user_id: Annotated[str, Form(max_length=20)],
    csrf_token: Csrf = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    refused = _attempt(
        session,
        lambda: case_steps.handoff(
            session,
            case_id,
            actor=user.actor,
            now=clock.now(),
            to_user_id=_choice(int, to_user_id),
            reason=reason,
        ),
    )
    if refused is not None:
        return _refused(request, session, user, clock, playbook, case_id, refused, "handoff")
    return _back(case_id, "handoff")


@router.post("/cases/{case_id}/close")
def close_case(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    outcome: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    refused = _attempt(
        session,
        lambda: flows.perform_steps(
            session,
            case_id,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            steps=[Step.CLOSE],
            outcome=_choice(Outcome, outcome),
            note=note.strip(),
        ),
    )
    if refused is not None:
        return _refused(request, session, user, clock, playbook, case_id, refused, "close")
    return _back(case_id, "closed")


@router.post("/cases/{case_id}/statement")
def give_statement(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    csrf_token: Csrf = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """The named employee records their side of the complaint."""
    check_csrf(user.csrf_token, csrf_token)
    refused = _attempt(
        session,
        lambda: statements.record_statement(
            session, case_id, actor=user.actor, text=text, now=clock.now()
        ),
    )
    if refused is not None:
        return _refused(request, session, user, clock, playbook, case_id, refused, "participants")
    return _back(case_id, "statement", "participants")


@router.post("/cases/{case_id}/statement-waiver")
def waive_statement(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    case_id: CaseId,
    user_id: Annotated[str, Form(max_length=20)],
    csrf_token: Csrf = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A manager lets the case close without a named employee's statement, saying why."""
    check_csrf(user.csrf_token, csrf_token)
    refused = _attempt(
        session,
        lambda: statements.waive_statement(
            session,
            case_id,
            actor=user.actor,
            user_id=_choice(int, user_id),
            reason=reason,
            now=clock.now(),
        ),
    )
    if refused is not None:
        return _refused(request, session, user, clock, playbook, case_id, refused, "participants")
    return _back(case_id, "waived", "participants")


def _customer_page(
    request: Request,
    session: Session,
    user: PageUser,
    clock: Clock,
    customer_id: int,
    *,
    refused: AmendsError | None = None,
    status_code: int = 200,
) -> Response:
    customer = customers.get_customer(session, customer_id, actor=user.actor)
    promised = commitments.list_commitments(
        session, actor=user.actor, customer_id=customer_id, limit=200
    ).items
    history = cases.list_cases(session, actor=user.actor, customer_id=customer_id, limit=200)
    owners = cases.owner_names(session, {c.owner_id for c in history.items})
    found = fit.customer_fit(
        session,
        customer_id,
        actor=user.actor,
        now=clock.now(),
        hourly_cost=get_settings(request).handling_cost_per_hour,
    )
    shown = winback.for_page(customer.winback) if customer.winback else None
    # Each promise's occurrences graded as on the expectations page: the missed ones
    # and delivered ones alike, the newest six first, each missed one with its "delivered" form.
    graded = {
        c.id: occs[-6:][::-1]
        for c, occs in ledger.expectations(session, customer_id, actor=user.actor, now=clock.now())
    }
    return render(
        request,
        "customer_detail.html",
        user.ctx,
        customer=customer,
        commitments=promised,
        occurrences=graded,
        can_write=user.actor.allows(Action.WRITE),
        kinds=list(CommitmentKind),
        repeats=list(Repeat),
        weekdays=WEEKDAYS,
        weekday_names=[
            Locale.parse(user.ctx.language).days["format"]["abbreviated"][i] for i in range(7)
        ],
        tiers=list(Tier),
        today=clock.now().date().isoformat(),
        cases=history.items,
        owners=owners,
        fit=found.assessment,
        can_part=user.actor.role in parting.DECIDERS
        and customer.status is not CustomerStatus.PARTED_WAYS,
        done=request.query_params.get("done", ""),
        refused=refused,
        status_code=status_code,
        survey_box=surveys.box(session, now=clock.now(), customer_id=customer_id),
        winback=shown,
        winback_texts=winback.sent_texts(session, shown) if shown else {},
        winback_can_stop=shown is not None
        and user.actor.allows(Action.WRITE)
        and (user.actor.allows(Action.MANAGE) or shown["owner_id"] == user.actor.user_id),
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_detail(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
) -> Response:
    return _customer_page(request, session, user, clock, customer_id)


@router.post("/customers/{customer_id}/part-ways")
def part_ways(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    customer_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    reason: Annotated[str, Form(max_length=2000)],
    csrf_token: Csrf = "",
    refund: Annotated[str, Form(max_length=30)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
    referral: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """A manager parts ways with the customer: the same flow as the API and the CLI."""
    check_csrf(user.csrf_token, csrf_token)

    def act() -> None:
        amount = _amount(refund)
        parting.part_ways(
            session,
            customer_id,
            actor=user.actor,
            now=clock.now(),
            playbook=playbook,
            business=get_settings(request).workspace_name,
            reason=reason,
            refund=parting.Refund(amount, currency.strip().upper() or None) if amount else None,
            referral=referral.strip(),
        )

    refused = _attempt(session, act)
    if refused is not None:
        return _customer_page(
            request, session, user, clock, customer_id, refused=refused, status_code=refused.status
        )
    return RedirectResponse(f"/customers/{customer_id}?done=parted", status_code=303)


# The customer page's own forms: each calls the one service function the API and the CLI
# call, then comes back to the page (POST-redirect-GET); a refusal shows the page again.
CommitmentId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
CustomerId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Text = Annotated[str, Form(max_length=300)]


def _customer_form(
    request: Request,
    session: Session,
    user: PageUser,
    clock: Clock,
    customer_id: int,
    csrf_token: str,
    action: Callable[[], Any],
    result: str,
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    customers.get_customer(session, customer_id, actor=user.actor)  # a 404 before anything
    refused = _attempt(session, action)
    if refused is not None:
        return _customer_page(
            request, session, user, clock, customer_id, refused=refused, status_code=refused.status
        )
    return RedirectResponse(f"/customers/{customer_id}?done={result}#promises", status_code=303)


def _their_commitment(
    session: Session, user: PageUser, customer_id: int, commitment_id: int
) -> None:
    found = commitments.get_commitment(session, commitment_id, actor=user.actor)
    if found.customer_id != customer_id:
        raise NotFound(f"commitment {commitment_id} does not exist", code="commitment-not-found")


def _due_on(day: str, timezone: str) -> datetime:
    """Nine in the morning of ``day`` where the customer lives, in UTC."""
    try:
        local = datetime.combine(date.fromisoformat(day.strip()), time(9), ZoneInfo(timezone))
    except ValueError:
        raise InvalidInput("not a date", code="date-invalid") from None
    return local.astimezone(UTC)


@router.post("/customers/{customer_id}/commitments/{commitment_id}/deliveries")
def record_delivery(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: CustomerId,
    commitment_id: CommitmentId,
    csrf_token: Csrf = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Delivered now: the occurrence it answers is judged again from the deliveries."""
    _their_commitment(session, user, customer_id, commitment_id)

    def act() -> None:
        commitments.add_delivery(
            session,
            actor=user.actor,
            now=clock.now(),
            commitment_id=commitment_id,
            delivered_at=clock.now(),
            note=note.strip(),
        )

    return _customer_form(request, session, user, clock, customer_id, csrf_token, act, "delivered")


@router.post("/customers/{customer_id}/commitments/{commitment_id}/status")
def commitment_status(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: CustomerId,
    commitment_id: CommitmentId,
    status: Annotated[str, Form(max_length=20)],
    csrf_token: Csrf = "",
) -> Response:
    """Pause or resume a promise (an ended one stays ended)."""
    _their_commitment(session, user, customer_id, commitment_id)

    def act() -> None:
        if status not in (CommitmentStatus.ACTIVE, CommitmentStatus.PAUSED):
            raise InvalidInput("choose active or paused", code="status-invalid")
        commitments.update_commitment(
            session,
            commitment_id,
            actor=user.actor,
            now=clock.now(),
            changes={"status": CommitmentStatus(status)},
        )

    return _customer_form(request, session, user, clock, customer_id, csrf_token, act, status)


@router.post("/customers/{customer_id}/commitments")
def add_commitment(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: CustomerId,
    title: Text,
    due: Annotated[str, Form(max_length=10)],
    csrf_token: Csrf = "",
    kind: Annotated[str, Form(max_length=30)] = CommitmentKind.DELIVERABLE.value,
    value: Annotated[str, Form(max_length=30)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
    repeat: Annotated[str, Form(max_length=30)] = Repeat.ONCE.value,
    weekdays: Annotated[list[str] | None, Form(max_length=7)] = None,
    day: Annotated[int | None, Form(ge=1, le=31)] = None,
) -> Response:
    """A new promise; its schedule is picked from a few shapes and becomes an RRULE."""
    customer = customers.get_customer(session, customer_id, actor=user.actor)

    def act() -> None:
        if kind not in set(CommitmentKind) or repeat not in set(Repeat):
            raise InvalidInput("choose a kind and a schedule", code="schedule-invalid")
        try:
            rule = rrule_for(Repeat(repeat), weekdays=weekdays, day=day)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="schedule-invalid") from None
        commitments.create_commitment(
            session,
            actor=user.actor,
            now=clock.now(),
            customer_id=customer_id,
            title=title.strip(),
            kind=CommitmentKind(kind),
            currency=(currency.strip().upper() or customer.currency)[:3],
            due_at=_due_on(due, customer.timezone),
            rrule=rule or None,
            value=_amount(value),
        )

    return _customer_form(request, session, user, clock, customer_id, csrf_token, act, "added")


@router.post("/customers/{customer_id}/edit")
def edit_customer(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: CustomerId,
    name: Text,
    tier: Annotated[str, Form(max_length=20)],
    language: Annotated[str, Form(max_length=35)],
    recurring_value: Annotated[str, Form(max_length=30)],
    csrf_token: Csrf = "",
) -> Response:
    """The same ``update_customer`` as ``PATCH /api/v1/customers/{id}``."""

    def act() -> None:
        if tier not in set(Tier) or not name.strip() or not language.strip():
            raise InvalidInput("name, tier and language are needed", code="customer-invalid")
        customers.update_customer(
            session,
            customer_id,
            actor=user.actor,
            now=clock.now(),
            changes={
                "name": name.strip(),
                "tier": Tier(tier),
                "language": language.strip(),
                "recurring_value": _amount(recurring_value),
            },
        )

    return _customer_form(request, session, user, clock, customer_id, csrf_token, act, "saved")
