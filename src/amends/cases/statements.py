"""Employees named in a complaint (service layer: flushes only).

"No meeting about an employee without that employee": whoever a complaint names takes
part in its case, is told, sees it, and gives their statement; the case closes once the
statement is recorded or a manager waives it with the reason. Both go on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.cases.events import add_event
from amends.cases.models import Case, CaseParticipant, Notification
from amends.cases.rules import (
    NAMED,
    CaseState,
    EventKind,
    NotificationKind,
    case_ref,
    check_statement,
    check_waiver_reason,
)
from amends.cases.service import add_participant, get_case
from amends.customers.models import Customer
from amends.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from amends.fields import clean_text
from amends.people.models import User
from amends.people.rules import Action, Actor, Mention, Role, Staff, named_in
from amends.people.service import get_user
from amends.web.i18n import english, said


def staff(session: Session) -> list[Staff]:
    """Who a complaint may name: the active people with the role employee (agents and
    managers are addressed by name all the time; that is no complaint about them)."""
    rows = session.scalars(select(User).where(User.active, User.role == Role.EMPLOYEE))
    return [Staff(u.id, u.name, tuple(u.nicknames or ())) for u in rows]


def _customer_names(session: Session, customer_id: int, sender_name: str) -> list[str]:
    customer = session.get(Customer, customer_id)
    names = [sender_name] if sender_name else []
    if customer is not None:
        names += [customer.name, *(c.name for c in customer.contacts)]
    return [n for n in names if n and n.strip()]


def note_named(
    session: Session,
    case: Case,
    *,
    subject: str,
    text: str,
    language: str | None,
    actor: Actor,
    now: datetime,
    people: list[Staff] | None = None,
    sender_name: str = "",
) -> list[Mention]:
    """Make the employees the complaint names participants of ``case`` and ask each for
    their statement. ``people`` is :func:`staff`, read once by a caller opening many."""
    people = staff(session) if people is None else people
    if not people:
        return []
    found = named_in(
        f"{subject}\n{text}",
        staff=people,
        language=language,
        customer_names=_customer_names(session, case.customer_id, sender_name),
    )
    for mention in found:
        added = add_participant(
            session,
            case=case,
            user_id=mention.user_id,
            reason=NAMED,
            actor=actor,
            now=now,
            note=mention.words,
        )
        if not added:
            continue
        asked = said(
            N_("%(ref)s: a complaint names you. Read it and give your statement on the case."),
            ref=case_ref(case.id),
        )
        session.add(
            Notification(
                user_id=mention.user_id,
                case_id=case.id,
                kind=NotificationKind.NAMED_IN_COMPLAINT,
                text=english(asked),
                data=asked,
                created_at=now,
            )
        )
    if found:
        session.flush()
    return found


@dataclass(frozen=True)
class Named:
    """A named employee on a case, with where their statement stands."""

    case: Case
    participant: CaseParticipant
    user: User

    @property
    def parts(self) -> tuple[Case, CaseParticipant, User]:
        return self.case, self.participant, self.user


def _named_row(session: Session, case: Case, user_id: int) -> CaseParticipant:
    row = session.get(CaseParticipant, (case.id, user_id))
    if row is None or row.reason != NAMED:
        raise NotFound.saying(
            N_("this case does not name that person"), code="not-named", user_id=user_id
        )
    return row


def _clean(text: str) -> str:
    try:
        return clean_text(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid-input") from None


def record_statement(
    session: Session, case_id: int, *, actor: Actor, text: str, now: datetime
) -> CaseParticipant:
    """The named employee's own account, in their words; given again, the newer one
    stands and both stay on the timeline."""
    case = get_case(session, case_id, actor=actor)
    text = check_statement(_clean(text))
    if actor.user_id is None:
        raise Forbidden(
            "a statement is given by the employee the complaint names, as themselves",
            code="not-named",
        )
    row = _named_row(session, case, actor.user_id)
    row.statement = text
    row.statement_at = now
    add_event(
        session,
        case=case,
        kind=EventKind.STATEMENT_RECORDED,
        at=now,
        actor=actor,
        note=text,
        data={"user_id": actor.user_id},
    )
    return row


def waive_statement(
    session: Session, case_id: int, *, actor: Actor, user_id: int, reason: str, now: datetime
) -> CaseParticipant:
    """A manager lets the case close without the named employee's statement, saying why."""
    if actor.role not in {Role.MANAGER, Role.OWNER}:
        raise Forbidden.saying(
            N_("only a manager may waive a named employee's statement"), code="waiver-forbidden"
        )
    case = get_case(session, case_id, actor=actor)
    reason = check_waiver_reason(_clean(reason))
    row = _named_row(session, case, user_id)
    if row.statement_at is not None:
        raise Conflict.saying(
            N_("this employee has already given their statement"), code="statement-recorded"
        )
    if row.waived_at is not None:
        raise Conflict.saying(N_("this statement is already waived"), code="statement-waived")
    row.waived_reason = reason
    row.waived_at = now
    row.waived_by = actor.user_id
    add_event(
        session,
        case=case,
        kind=EventKind.STATEMENT_WAIVED,
        at=now,
        actor=actor,
        note=reason,
        data={"user_id": user_id},
    )
    audit.record(
        session,
        actor_id=actor.user_id,
        action="statement.waived",
        subject=f"case:{case.id}",
        detail={"user_id": user_id, "reason": reason},
        now=now,
    )
    return row


def _waiting(case_id: int | None = None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        CaseParticipant.reason == NAMED,
        CaseParticipant.statement_at.is_(None),
        CaseParticipant.waived_at.is_(None),
    ]
    if case_id is not None:
        conditions.append(CaseParticipant.case_id == case_id)
    return conditions


def refuse_close_without_statements(session: Session, case: Case) -> None:
    """Closing waits for every named employee's statement, or a manager's waiver."""
    waiting = list(
        session.scalars(
            select(User.name)
            .join(CaseParticipant, CaseParticipant.user_id == User.id)
            .where(*_waiting(case.id))
            .order_by(User.name)
        )
    )
    if waiting:
        raise Conflict.saying(
            N_(
                "%(names)s, named in the complaint, has not given a statement yet; the case "
                "can close once it is recorded or a manager waives it with the reason"
            ),
            code="statement-pending",
            names=", ".join(waiting),
        )


def pending_statements(
    session: Session, *, actor: Actor, user_id: int | None = None
) -> list[Named]:
    """Statements still owed on open cases, oldest first: everyone's for those who read
    the whole workspace, else the actor's own."""
    if not actor.allows(Action.READ):
        user_id = actor.user_id if actor.user_id is not None else -1
    query = (
        select(Case, CaseParticipant, User)
        .join(CaseParticipant, CaseParticipant.case_id == Case.id)
        .join(User, User.id == CaseParticipant.user_id)
        .where(*_waiting(), Case.state != CaseState.CLOSED)
        .order_by(CaseParticipant.added_at, Case.id)
    )
    if user_id is not None:
        query = query.where(CaseParticipant.user_id == user_id)
    return [Named(case, part, user) for case, part, user in session.execute(query)]


def named(session: Session, case_id: int, user_id: int, *, actor: Actor) -> Named:
    """One named employee on a case the actor may see."""
    case = get_case(session, case_id, actor=actor)
    return Named(case, _named_row(session, case, user_id), get_user(session, user_id))


def named_on(session: Session, case_id: int) -> list[tuple[CaseParticipant, User]]:
    """A case's participants with their people, in the order they joined."""
    rows = session.execute(
        select(CaseParticipant, User)
        .join(User, User.id == CaseParticipant.user_id)
        .where(CaseParticipant.case_id == case_id)
        .order_by(CaseParticipant.added_at, User.id)
    )
    return [(part, user) for part, user in rows]
