"""Saved replies: a person's own snippets and their team's, in the customers' languages
(service layer: flushes only). Every one passes the coach when it is saved, so an
inserted snippet never brings blame or an excuse into a reply; placeholders are filled
from the case in the customer's locale when it is inserted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel import Locale, UnknownLocaleError
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.cases import service as cases
from amends.cases.rules import case_ref
from amends.coach.rules import check
from amends.compensation.models import Compensation
from amends.customers.models import Customer
from amends.desk.models import SavedReply
from amends.desk.rules import LANGUAGES, TEXT_MAX, TITLE_MAX, fill, unknown_placeholders
from amends.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from amends.people.models import TeamMember, User
from amends.people.rules import Action, Actor
from amends.people.service import get_team, require
from amends.web.i18n import day, money


@dataclass(frozen=True)
class Draft:
    """What a person writes into a saved reply."""

    title: str
    text: str
    language: str


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Your own snippets; your team's; every team's when you manage."""
    if actor.allows(Action.MANAGE):
        team_rule: ColumnElement[bool] = SavedReply.team_id.is_not(None)
    elif actor.user_id is not None:
        # The team asked inside the same query (NULL, so nothing, for someone in none).
        team = select(TeamMember.team_id).where(TeamMember.user_id == actor.user_id)
        team_rule = SavedReply.team_id == team.scalar_subquery()
    else:
        team_rule = false()
    mine = SavedReply.owner_id == actor.user_id if actor.user_id is not None else false()
    return or_(mine, team_rule)


def can_edit(actor: Actor, reply: SavedReply) -> bool:
    """Your own snippets are yours to change; a team's are its managers'."""
    if reply.team_id is not None:
        return actor.allows(Action.MANAGE)
    return actor.user_id is not None and reply.owner_id == actor.user_id


def list_replies(
    session: Session, *, actor: Actor, language: str | None = None
) -> list[SavedReply]:
    require(actor, Action.WRITE)
    query = select(SavedReply).where(_visible(actor))
    if language:
        query = query.where(SavedReply.language == language)
    return list(session.scalars(query.order_by(SavedReply.language, SavedReply.title)))


def for_composer(session: Session, *, actor: Actor, language: str | None) -> list[SavedReply]:
    """The saved replies a reply box offers: none to those who may not write, the
    customer's language first."""
    if not actor.allows(Action.WRITE):
        return []
    found = list_replies(session, actor=actor)
    found.sort(key=lambda r: (r.language != language, r.language, r.title.casefold()))
    return found


def get_reply(session: Session, reply_id: int, *, actor: Actor) -> SavedReply:
    require(actor, Action.WRITE)
    reply = session.scalar(select(SavedReply).where(SavedReply.id == reply_id, _visible(actor)))
    # One you may not see answers like a missing one: no existence leak.
    if reply is None:
        raise NotFound.saying(
            N_("there is no saved reply %(id)s"), code="saved-reply-not-found", id=reply_id
        )
    return reply


def _checked(draft: Draft) -> Draft:
    title = " ".join(draft.title.split())
    text = draft.text.strip().replace("\r\n", "\n")
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput.saying(
            N_("a saved reply needs a title of 1 to %(most)s characters"),
            code="saved-reply-title",
            most=TITLE_MAX,
        )
    if not text or len(text) > TEXT_MAX:
        raise InvalidInput.saying(
            N_("a saved reply needs a text of 1 to %(most)s characters"),
            code="saved-reply-text",
            most=TEXT_MAX,
        )
    if draft.language not in LANGUAGES:
        raise InvalidInput.saying(
            N_("saved replies are written in %(languages)s"),
            code="saved-reply-language",
            languages=", ".join(LANGUAGES),
        )
    unknown = unknown_placeholders(text)
    if unknown:
        raise InvalidInput.saying(
            N_("unknown placeholder: %(names)s"),
            code="placeholder-unknown",
            names=", ".join("{" + name + "}" for name in unknown),
        )
    # Blame, excuses, conditional apologies and minimising block, as they do in a reply;
    # what a snippet leaves out does not (a short one rightly says less).
    result = check(text, draft.language, required=())
    if result.blocking:
        # A refusal like the reply's own (409, exit 1): the input is well formed, the
        # wording is what the coach will not let through.
        raise Conflict.saying(
            N_("the coach refused this saved reply: %(found)s"),
            code="coach-findings",
            found="; ".join(f"{f.code.value}: “{f.excerpt}”" for f in result.blocking),
            findings=[f.as_dict() for f in result.blocking],
        )
    return Draft(title, text, draft.language)


def create_reply(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    draft: Draft,
    team_id: int | None = None,
) -> SavedReply:
    """A new snippet: the actor's own, or (managers) a team's."""
    require(actor, Action.WRITE)
    if team_id is not None:
        if not actor.allows(Action.MANAGE):
            raise Forbidden(
                "only owners and managers write a team's saved replies", code="forbidden"
            )
        get_team(session, team_id)
    elif actor.user_id is None:
        raise InvalidInput(
            "a personal saved reply belongs to a person: act as one, or give a team",
            code="saved-reply-owner",
        )
    good = _checked(draft)
    reply = SavedReply(
        owner_id=None if team_id is not None else actor.user_id,
        team_id=team_id,
        language=good.language,
        title=good.title,
        text=good.text,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(reply)
    session.flush()
    _audit(session, actor, "saved-reply.created", reply, now)
    return reply


def update_reply(
    session: Session, reply_id: int, *, actor: Actor, now: datetime, draft: Draft
) -> SavedReply:
    reply = get_reply(session, reply_id, actor=actor)
    if not can_edit(actor, reply):
        raise Forbidden("only its author, or a manager for a team's, may change it")
    good = _checked(draft)
    reply.title, reply.text, reply.language = good.title, good.text, good.language
    reply.updated_at = now
    session.flush()
    _audit(session, actor, "saved-reply.changed", reply, now)
    return reply


def delete_reply(session: Session, reply_id: int, *, actor: Actor, now: datetime) -> None:
    reply = get_reply(session, reply_id, actor=actor)
    if not can_edit(actor, reply):
        raise Forbidden("only its author, or a manager for a team's, may remove it")
    _audit(session, actor, "saved-reply.removed", reply, now)
    session.delete(reply)
    session.flush()


def _audit(session: Session, actor: Actor, action: str, reply: SavedReply, now: datetime) -> None:
    audit.record(
        session,
        actor_id=actor.user_id,
        action=action,
        subject=f"saved-reply:{reply.id}",
        detail={
            "title": reply.title,
            "language": reply.language,
            "team": "" if reply.team_id is None else str(reply.team_id),
        },
        now=now,
    )


def _locale_of(language: str) -> str:
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"
    return language.replace("-", "_")


def placeholders_for_case(
    session: Session,
    case_id: int,
    *,
    actor: Actor,
    now: datetime,
    business: str,
    timezone: str,
) -> dict[str, str]:
    """Each placeholder's value on this case, dates and amounts as the customer reads them."""
    case = cases.get_case(session, case_id, actor=actor)
    customer = session.get(Customer, case.customer_id)
    assert customer is not None
    contact = next((c for c in sorted(customer.contacts, key=lambda c: not c.is_primary)), None)
    writer = session.get(User, actor.user_id) if actor.user_id is not None else None
    owner = writer or session.get(User, case.owner_id)
    granted = session.scalar(
        select(Compensation)
        .where(Compensation.case_id == case.id, Compensation.status.in_(["granted", "approved"]))
        .order_by(Compensation.id.desc())
        .limit(1)
    )
    locale = _locale_of(customer.language)
    return {
        "customer_name": contact.name if contact and contact.name else customer.name,
        "case_ref": case_ref(case.id),
        "agent_name": owner.name if owner else "",
        "business_name": business,
        "today": day(now, locale, timezone),
        "due_date": day(now + timedelta(days=1), locale, timezone),
        "compensation": money(granted.amount, granted.currency, locale) if granted else "…",
    }


def fill_for_case(
    session: Session,
    reply_id: int,
    case_id: int,
    *,
    actor: Actor,
    now: datetime,
    business: str,
    timezone: str,
) -> str:
    """The saved reply as it goes into this case's composer."""
    reply = get_reply(session, reply_id, actor=actor)
    values = placeholders_for_case(
        session, case_id, actor=actor, now=now, business=business, timezone=timezone
    )
    return fill(reply.text, values)
