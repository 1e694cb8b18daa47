"""Sending surveys, answering them through their signed link, and advocates.

A survey goes out through the outbox like any mail (written in the same transaction as
its message). Customers who parted ways get none; neither do customers without an email
address. Answering is one compare-and-set on the row, so two submissions of one link
(a double click, two tabs) record exactly one answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.models import Case
from amends.cases.rules import CaseState, Outcome, case_ref
from amends.compensation import service as compensations
from amends.compensation.models import Compensation
from amends.config import Settings
from amends.customers.advocates import Advocate
from amends.customers.models import Customer
from amends.customers.rules import takes_automated_messages
from amends.errors import N_, Conflict, InvalidInput, NotFound
from amends.messages import outbox
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.paging import Page, paginate
from amends.people.rules import Action, Actor
from amends.people.service import require
from amends.playbook.policy import Playbook
from amends.surveys import rules
from amends.surveys.models import Survey
from amends.surveys.rules import LinkProblem
from amends.web import i18n

# A case recovered: the failure was put right and the customer stayed or came back.
RECOVERED = (Outcome.RETAINED, Outcome.WON_BACK)


def _may_survey(customer: Customer) -> bool:
    """The customers domain's rule for automated mail (never after parting ways), and
    never to one whose personal data was erased."""
    return takes_automated_messages(customer.status) and customer.erased_at is None


def _address(customer: Customer) -> str | None:
    contacts = sorted(customer.contacts, key=lambda c: (not c.is_primary, c.id))
    return next((c.email for c in contacts if c.email), None)


@dataclass(frozen=True)
class Mailing:
    """Where a survey's link points and how long it lasts."""

    base_url: str
    secret: str
    valid_days: int
    business: str


def mailing_for(settings: Settings) -> Mailing:
    return Mailing(
        base_url=settings.base_url,
        secret=settings.secret(),
        valid_days=settings.survey_valid_days,
        business=settings.workspace_name,
    )


def link_of(survey: Survey, mailing: Mailing) -> str:
    token = rules.sign_link(
        mailing.secret, survey_id=survey.id, language=survey.language, nonce=survey.nonce
    )
    return f"{mailing.base_url.rstrip('/')}/survey/{token}"


def _mail(
    survey: Survey, customer: Customer, case: Case | None, mailing: Mailing
) -> tuple[str, str]:
    _ = i18n.translations(survey.language).gettext
    until = i18n.day(survey.expires_at, survey.language, customer.timezone)
    if case is not None:
        subject = _("How did we do? (%(ref)s)") % {"ref": case_ref(case.id)}
        opening = _(
            "Thank you for your patience while we put things right. Would you tell us how "
            "we did? It takes a minute:"
        )
    else:
        subject = _("How are we doing?")
        opening = _("Would you tell us how we are doing for you? It takes a minute:")
    closing = _("The link can be used once, until %(date)s. Thank you.") % {"date": until}
    text = "\n\n".join([_("Hello,"), opening, link_of(survey, mailing), closing, mailing.business])
    return subject, text


def send_survey(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    mailing: Mailing,
    case_id: int | None = None,
    customer_id: int | None = None,
) -> Survey:
    """Send a survey about a closed case, or (without a case) about the relationship."""
    require(actor, Action.WRITE)
    case: Case | None = None
    if case_id is not None:
        case = cases.get_case(session, case_id, actor=actor)
        if case.state is not CaseState.CLOSED:
            raise Conflict.saying(
                N_("a survey is sent once the case is closed"), code="case-not-closed"
            )
        if customer_id is not None and customer_id != case.customer_id:
            raise InvalidInput("the customer is not the case's customer", code="customer-mismatch")
        customer_id = case.customer_id
        if session.scalar(select(Survey.id).where(Survey.case_id == case.id)) is not None:
            raise Conflict.saying(
                N_("a survey was already sent for this case"), code="survey-exists"
            )
    if customer_id is None:
        raise InvalidInput("a survey needs a case_id or a customer_id", code="survey-orphan")
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist", code="customer-not-found")
    if not _may_survey(customer):
        raise Conflict.saying(
            N_("this customer receives no automated messages"), code="no-automated-messages"
        )
    address = _address(customer)
    if address is None:
        raise Conflict.saying(
            N_("the customer has no email address to send the survey to"), code="no-address"
        )
    survey = Survey(
        customer_id=customer.id,
        case_id=case.id if case else None,
        language=rules.survey_language(customer.language),
        to_address=address,
        nonce=rules.new_nonce(),
        sent_by=actor.user_id,
        sent_at=now,
        expires_at=now + timedelta(days=mailing.valid_days),
    )
    session.add(survey)
    session.flush()
    subject, text = _mail(survey, customer, case, mailing)
    # Kept on the customer, not the case: a closed case's clocks and timeline stay as they
    # were when it closed.
    message = messages.record_message(
        session,
        actor=actor,
        now=now,
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL,
        text=text,
        subject=subject,
        language=survey.language,
        customer_id=customer.id,
        to_address=address,
        playbook=playbook,
    )
    outbox.queue(session, message=message, to_address=address, now=now)
    survey.message_id = message.id
    session.flush()
    return survey


def send_due(
    session: Session, *, actor: Actor, now: datetime, playbook: Playbook, mailing: Mailing
) -> dict[str, int]:
    """Survey every case closed within the link's lifetime that has none yet (older ones
    are left alone: after an upgrade, nobody is asked about last year's case)."""
    due = session.scalars(
        select(Case.id)
        .where(
            Case.state == CaseState.CLOSED,
            Case.closed_at >= now - timedelta(days=mailing.valid_days),
            ~select(Survey.id).where(Survey.case_id == Case.id).exists(),
        )
        .order_by(Case.closed_at, Case.id)
        .limit(500)
    ).all()
    counts = {"sent": 0, "skipped": 0}
    for case_id in due:
        try:
            with session.begin_nested():
                send_survey(
                    session,
                    actor=actor,
                    now=now,
                    playbook=playbook,
                    mailing=mailing,
                    case_id=case_id,
                )
            counts["sent"] += 1
        except (Conflict, InvalidInput):
            counts["skipped"] += 1
    return counts


@dataclass(frozen=True)
class Opened:
    """What a link opens: the survey to answer, or why not, in which language."""

    language: str
    survey: Survey | None = None
    customer: Customer | None = None
    problem: LinkProblem | None = None


def open_link(session: Session, *, secret: str, token: str, now: datetime) -> Opened:
    """The survey a link opens, or the reason it opens none (no sign-in: the signed link
    is the customer's only key)."""
    link = rules.read_link(secret, token)
    if link is None:
        return Opened(rules.language_of_token(token, "en"), problem=LinkProblem.INVALID)
    survey = session.get(Survey, link.survey_id)
    if survey is None or survey.nonce != link.nonce or survey.language != link.language:
        return Opened(link.language, problem=LinkProblem.INVALID)
    customer = session.get(Customer, survey.customer_id)
    if survey.answered_at is not None:
        return Opened(survey.language, survey, customer, LinkProblem.ANSWERED)
    if now >= survey.expires_at:
        return Opened(survey.language, survey, customer, LinkProblem.EXPIRED)
    return Opened(survey.language, survey, customer)


def answer_link(
    session: Session,
    *,
    secret: str,
    token: str,
    now: datetime,
    csat: object,
    nps: object = None,
    comment: str | None = None,
) -> Opened:
    """Record the customer's answer once; a second answer, an expired or a changed link is
    refused (``problem``) and nothing is written."""
    opened = open_link(session, secret=secret, token=token, now=now)
    if opened.problem is not None or opened.survey is None:
        return opened
    given = rules.answer(csat, nps, comment)
    survey = opened.survey
    done = session.execute(
        update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None), Survey.expires_at > now)
        .values(answered_at=now, csat=given.csat, nps=given.nps, comment=given.comment)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        session.refresh(survey)
        return Opened(survey.language, survey, opened.customer, LinkProblem.ANSWERED)
    session.refresh(survey)
    _propose_advocate(session, survey, now=now)
    return Opened(survey.language, survey, opened.customer)


def _propose_advocate(session: Session, survey: Survey, *, now: datetime) -> None:
    case = session.get(Case, survey.case_id) if survey.case_id is not None else None
    recovered = case is not None and case.outcome in RECOVERED
    assert survey.csat is not None
    if not rules.proposes_advocate(csat=survey.csat, nps=survey.nps, recovered=recovered):
        return
    if session.scalar(select(Advocate.id).where(Advocate.customer_id == survey.customer_id)):
        return
    session.add(
        Advocate(
            customer_id=survey.customer_id,
            case_id=survey.case_id,
            survey_id=survey.id,
            proposed_at=now,
        )
    )
    session.flush()


def get_survey(session: Session, survey_id: int, *, actor: Actor) -> Survey:
    require(actor, Action.READ)
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"survey {survey_id} does not exist", code="survey-not-found")
    return survey


def list_surveys(
    session: Session,
    *,
    actor: Actor,
    case_id: int | None = None,
    customer_id: int | None = None,
    answered: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Survey]:
    """Surveys, newest first."""
    require(actor, Action.READ)
    stmt = select(Survey).order_by(Survey.sent_at.desc(), Survey.id.desc())
    if case_id is not None:
        stmt = stmt.where(Survey.case_id == case_id)
    if customer_id is not None:
        stmt = stmt.where(Survey.customer_id == customer_id)
    if answered is not None:
        stmt = stmt.where(
            Survey.answered_at.is_not(None) if answered else Survey.answered_at.is_(None)
        )
    return paginate(session, stmt, limit=limit, offset=offset)


def for_case(session: Session, case_id: int) -> Survey | None:
    """The case's survey, for its page (whoever may see the case sees its result)."""
    return session.scalar(select(Survey).where(Survey.case_id == case_id))


def for_customer(session: Session, customer_id: int, *, limit: int = 50) -> list[Survey]:
    return list(
        session.scalars(
            select(Survey)
            .where(Survey.customer_id == customer_id)
            .order_by(Survey.sent_at.desc(), Survey.id.desc())
            .limit(limit)
        )
    )


def advocate_of(session: Session, customer_id: int) -> Advocate | None:
    return session.scalar(select(Advocate).where(Advocate.customer_id == customer_id))


@dataclass(frozen=True)
class AdvocateRow:
    advocate: Advocate
    customer: Customer
    survey: Survey | None
    reward: Compensation | None

    def as_dict(self) -> dict[str, Any]:
        reward = self.reward
        return {
            "customer_id": self.customer.id,
            "customer": self.customer.name,
            "case_id": self.advocate.case_id,
            "survey_id": self.advocate.survey_id,
            "csat": self.survey.csat if self.survey else None,
            "nps": self.survey.nps if self.survey else None,
            "proposed_at": self.advocate.proposed_at,
            "reward": None
            if reward is None
            else {
                "compensation_id": reward.id,
                "kind": reward.kind.value,
                "amount": reward.amount,
                "currency": reward.currency,
                "status": reward.status.value,
                "rationale": reward.rationale,
            },
        }


def list_advocates(session: Session, *, actor: Actor) -> list[AdvocateRow]:
    """Every advocate, newest first, with the answer that proposed them and their reward."""
    require(actor, Action.READ)
    rows = session.execute(
        select(Advocate, Customer)
        .join(Customer, Customer.id == Advocate.customer_id)
        .order_by(Advocate.proposed_at.desc(), Advocate.id.desc())
    ).all()
    found = []
    for advocate, customer in rows:
        survey = session.get(Survey, advocate.survey_id) if advocate.survey_id else None
        reward = session.get(Compensation, advocate.reward_id) if advocate.reward_id else None
        found.append(AdvocateRow(advocate, customer, survey, reward))
    return found


def reward_advocate(
    session: Session,
    customer_id: int,
    *,
    actor: Actor,
    now: datetime,
    playbook: Playbook,
    kind: str,
    amount: Decimal,
    currency: str | None,
    rationale: str,
) -> Compensation:
    """Thank an advocate: the reward goes in the compensation ledger on the case that was
    recovered, under the same limits (above an agent's, it waits for a manager)."""
    require(actor, Action.WRITE)
    advocate = advocate_of(session, customer_id)
    if advocate is None:
        raise NotFound(f"customer {customer_id} is not an advocate", code="advocate-not-found")
    if advocate.reward_id is not None:
        raise Conflict.saying(N_("this advocate was already rewarded"), code="advocate-rewarded")
    if advocate.case_id is None:
        raise Conflict("the advocate's case no longer exists", code="advocate-case-gone")
    case = cases.get_case(session, advocate.case_id, actor=actor)
    if len(rationale.strip()) < 3:
        raise InvalidInput(N_("say why the reward is given"), code="reward-reason")
    given = compensations.record(
        session,
        case=case,
        actor=actor,
        now=now,
        playbook=playbook,
        kind=kind,
        amount=amount,
        currency=currency,
        rationale=rationale.strip(),
    )
    advocate.reward_id = given.id
    advocate.rewarded_at = now
    session.flush()
    return given


def box(
    session: Session, *, now: datetime, case_id: int | None = None, customer_id: int
) -> dict[str, Any]:
    """What the survey partial (``_survey_results.html``) shows on a case or customer page."""
    if case_id is not None:
        found = for_case(session, case_id)
        surveys = [found] if found is not None else []
    else:
        surveys = for_customer(session, customer_id)
    return {"surveys": surveys, "advocate": advocate_of(session, customer_id), "now": now}
