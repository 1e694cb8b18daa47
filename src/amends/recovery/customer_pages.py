"""The customers list, a customer's page and the commitments board.

The list searches name, address or external id (folded as the inbox folds them) and
filters by status, tier, language or at risk, a page at a time; the same
``customers.list_customers`` answers ``GET /api/v1/customers`` and ``amends customers``.
A customer's page shows several domains at once: their promises and how each was kept,
their cases, fit and win-back; its forms record a delivery, pause a promise, add one,
edit the customer and part ways with them. The board reads ``commitments.board``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.clock import Clock
from amends.commitments import board, ledger
from amends.commitments import service as commitments
from amends.commitments.rules import WEEKDAYS, CommitmentKind, CommitmentStatus, Repeat, rrule_for
from amends.customers import service as customers
from amends.customers.models import Customer
from amends.customers.rules import CustomerStatus, Tier
from amends.customers.schemas import ContactIn, CustomerCreate
from amends.errors import AmendsError, InvalidInput, NotFound
from amends.fields import MAX_DB_INT
from amends.people.deps import PageUser, SignedIn
from amends.people.rules import Action
from amends.recovery import fit, parting
from amends.surveys import service as surveys
from amends.text import address
from amends.text.languages import SPOKEN
from amends.web import forms
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.render import render
from amends.web.session import check_csrf
from amends.winback import reading as winback_reading
from amends.workspace import service as workspace

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
Short = Annotated[str, Query(max_length=35)]
Csrf = Annotated[str, Form(max_length=100)]


@router.get("/customers", response_class=HTMLResponse)
def customer_list(
    request: Request,
    session: DbSession,
    user: SignedIn,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Short = "",
    tier: Short = "",
    language: Short = "",
    at_risk: Short = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    return _list_page(request, session, user, q, status, tier, language, at_risk, offset)


def _list_page(
    request: Request,
    session: Session,
    user: PageUser,
    q: str = "",
    status: str = "",
    tier: str = "",
    language: str = "",
    at_risk: str = "",
    offset: int = 0,
    refused: AmendsError | None = None,
) -> Response:
    wanted_status = CustomerStatus(status) if status in set(CustomerStatus) else None
    if at_risk:
        wanted_status = CustomerStatus.AT_RISK
    wanted_tier = Tier(tier) if tier in set(Tier) else None
    page = customers.list_customers(
        session,
        actor=user.actor,
        limit=PER_PAGE,
        offset=offset,
        status=wanted_status,
        tier=wanted_tier,
        language=language or None,
        query=q,
    )
    languages = list(
        session.scalars(select(Customer.language).distinct().order_by(Customer.language).limit(100))
    )
    kept = {
        k: v
        for k, v in {
            "q": q,
            "status": status,
            "tier": tier,
            "language": language,
            "at_risk": at_risk,
        }.items()
        if v
    }
    home = workspace.current(session)
    return render(
        request,
        "customer_list.html",
        user.ctx,
        can_write=user.actor.allows(Action.WRITE),
        spoken=SPOKEN,
        default_timezone=home.timezone if home else "UTC",
        default_currency=home.currency if home else "EUR",
        refused=refused,
        status_code=refused.status if refused else 200,
        items=page.items,
        q=q,
        status=wanted_status.value if wanted_status else "",
        tier=wanted_tier.value if wanted_tier else "",
        language=language,
        at_risk=bool(at_risk),
        statuses=list(CustomerStatus),
        tiers=list(Tier),
        languages=languages,
        previous=urlencode({**kept, "offset": max(0, offset - PER_PAGE)}) if offset else "",
        following=urlencode({**kept, "offset": page.next_offset})
        if page.next_offset is not None
        else "",
    )


@router.post("/customers")
def add_customer(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    name: Annotated[str, Form(max_length=300)] = "",
    language: Annotated[str, Form(max_length=35)] = "",
    timezone: Annotated[str, Form(max_length=64)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
    tier: Annotated[str, Form(max_length=20)] = "",
    recurring_value: Annotated[str, Form(max_length=30)] = "",
    contact_name: Annotated[str, Form(max_length=300)] = "",
    contact_email: Annotated[str, Form(max_length=254)] = "",
    contact_form: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """The same ``create_customer`` as ``POST /api/v1/customers``, with one contact."""

    def act() -> int:
        contact = (
            [
                {
                    "name": contact_name.strip() or contact_email.strip(),
                    "email": contact_email.strip() or None,
                    "is_primary": True,
                    "gender_form": address.gender_form(contact_form),
                }
            ]
            if contact_name.strip() or contact_email.strip()
            else []
        )
        body = forms.validated(
            CustomerCreate,
            {
                "name": name,
                "language": language,
                "timezone": timezone,
                "currency": currency.upper(),
                "tier": tier,
                "recurring_value": forms.amount(recurring_value),
                "contacts": contact,
            },
        )
        created = customers.create_customer(
            session,
            actor=user.actor,
            now=clock.now(),
            contacts=[customers.ContactInput(**c.model_dump()) for c in body.contacts],
            **body.model_dump(exclude={"contacts"}),
        )
        return created.id

    return forms.form_action(
        session,
        user.csrf_token,
        csrf_token,
        act,
        refused=lambda error: _list_page(request, session, user, refused=error),
        done=lambda new_id: RedirectResponse(f"/customers/{new_id}", status_code=303),
    )


@router.get("/commitments", response_class=HTMLResponse)
def commitments_board(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
) -> Response:
    """Due in the next seven days, and missed and not yet in a case, by owner. Managers
    and owners see every owner's lane; anyone else sees the promises they own."""
    everyone = user.actor.allows(Action.MANAGE)
    lanes = board.board(
        session,
        actor=user.actor,
        now=clock.now(),
        owner_id=None if everyone else user.actor.user_id,
    )
    items = [i for lane in lanes for i in (*lane.due, *lane.missed)]
    owners = cases.owner_names(session, {lane.owner_id for lane in lanes if lane.owner_id})
    named = select(Customer.id, Customer.name).where(
        Customer.id.in_({i.customer_id for i in items})
    )
    names: dict[int, str] = dict(session.execute(named).all())
    return render(
        request,
        "commitments_board.html",
        user.ctx,
        lanes=lanes,
        owners=owners,
        customers=names,
        everyone=everyone,
        days=board.DAYS,
    )


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
    shown = winback_reading.for_page(customer.winback) if customer.winback else None
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
        winback_texts=winback_reading.sent_texts(session, shown) if shown else {},
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

    def act() -> None:
        amount = forms.amount(refund)
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

    return forms.form_action(
        session,
        user.csrf_token,
        csrf_token,
        act,
        refused=lambda refused: _customer_page(
            request, session, user, clock, customer_id, refused=refused, status_code=refused.status
        ),
        done=lambda _: RedirectResponse(f"/customers/{customer_id}?done=parted", status_code=303),
    )


# The customer page's own forms: each calls the one service function the API and the CLI
# call, then comes back to the page (POST-redirect-GET); a refusal shows the page again.
CommitmentId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
CustomerId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
ContactId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
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
    anchor: str = "promises",
) -> Response:
    check_csrf(user.csrf_token, csrf_token)
    customers.get_customer(session, customer_id, actor=user.actor)  # a 404 before anything
    refused = forms.attempt(session, action)
    if refused is not None:
        return _customer_page(
            request, session, user, clock, customer_id, refused=refused, status_code=refused.status
        )
    return RedirectResponse(f"/customers/{customer_id}?done={result}#{anchor}", status_code=303)


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
            value=forms.amount(value),
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
                "recurring_value": forms.amount(recurring_value),
            },
        )

    return _customer_form(request, session, user, clock, customer_id, csrf_token, act, "saved")


@router.post("/customers/{customer_id}/contacts/{contact_id}/gender-form")
def set_contact_form(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: CustomerId,
    contact_id: ContactId,
    gender_form: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """The same ``set_contact_form`` as ``PUT /api/v1/customers/{id}/contacts/{id}/gender-form``."""

    def act() -> None:
        form = address.gender_form(gender_form)
        customers.set_contact_form(
            session, customer_id, contact_id, actor=user.actor, now=clock.now(), form=form
        )

    return _customer_form(
        request, session, user, clock, customer_id, csrf_token, act, "greeting", "contacts"
    )


@router.post("/customers/{customer_id}/contacts")
def add_contact(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: CustomerId,
    name: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    phone: Annotated[str, Form(max_length=50)] = "",
    primary: Annotated[str, Form(max_length=5)] = "",
    gender_form: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """The same ``add_contact`` as ``POST /api/v1/customers/{id}/contacts``."""

    def act() -> None:
        given = forms.validated(
            ContactIn,
            {
                "name": name,
                "email": email.strip(),
                "phone": phone.strip(),
                "is_primary": bool(primary),
                "gender_form": address.gender_form(gender_form),
            },
        )
        customers.add_contact(
            session,
            customer_id,
            actor=user.actor,
            now=clock.now(),
            contact=customers.ContactInput(**given.model_dump()),
        )

    return _customer_form(
        request, session, user, clock, customer_id, csrf_token, act, "contact", "contacts"
    )


@router.post("/customers/{customer_id}/contacts/{contact_id}/remove")
def remove_contact(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    customer_id: CustomerId,
    contact_id: ContactId,
    csrf_token: Csrf = "",
) -> Response:
    """The same ``remove_contact`` as ``DELETE /api/v1/customers/{id}/contacts/{id}``."""

    def act() -> None:
        customers.remove_contact(
            session, customer_id, contact_id, actor=user.actor, now=clock.now()
        )

    return _customer_form(
        request, session, user, clock, customer_id, csrf_token, act, "contact", "contacts"
    )
