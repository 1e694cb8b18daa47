"""Turn the demo content into a workspace, through the same services a user's actions use."""

from __future__ import annotations

import os
import random
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amends.cases import service as cases
from amends.cases.rules import (
    STEP_STATE,
    STEPS,
    CaseState,
    Category,
    Origin,
    Outcome,
    Severity,
    Step,
)
from amends.commitments import service as commitments
from amends.commitments.rules import CommitmentKind
from amends.config import Settings
from amends.customers import service as customers
from amends.customers.rules import CustomerStatus, Tier
from amends.demo import content
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.people import service as people
from amends.people.models import User
from amends.people.rules import OPERATOR, Actor, Role
from amends.playbook.policy import Playbook
from amends.recovery import flows
from amends.recovery.flows import CompensationInput
from amends.workspace import service as workspace

SEED = 20261122
STATE_STEP = {state: step for step, state in STEP_STATE.items()}
SIGN_IN_FILE = "demo-signin.txt"


@dataclass(frozen=True)
class DemoSignIn:
    email: str
    password: str

    def describe(self) -> str:
        return f"email: {self.email}\npassword: {self.password}"


def has_data(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def load(
    session: Session, *, settings: Settings, now: datetime, password: str, playbook: Playbook
) -> dict[str, int]:
    """Create the demo workspace's rows; returns counts of what was made."""
    rng = random.Random(SEED)
    workspace.ensure(session, settings=settings, now=now)
    users: dict[str, User] = {}
    for u in content.USERS:
        users[u.email] = people.create_user(
            session,
            email=u.email,
            name=u.name,
            role=Role(u.role),
            now=now,
            password=password,
            language=u.language,
        )

    customer_ids: dict[str, int] = {}
    for c in content.CUSTOMERS:
        created = customers.create_customer(
            session,
            actor=OPERATOR,
            now=now,
            name=c.name,
            language=c.language,
            timezone=c.timezone,
            currency=c.currency,
            recurring_value=c.recurring_value,
            tier=Tier(c.tier),
            status=CustomerStatus(c.status),
            external_id=c.key,
            contacts=[
                customers.ContactInput(name=p.name, email=p.email, is_primary=i == 0)
                for i, p in enumerate(c.contacts)
            ],
        )
        customer_ids[c.key] = created.id

    commitment_ids: dict[str, int] = {}
    deliveries = 0
    for m in content.COMMITMENTS:
        hour = timedelta(hours=rng.randint(8, 16))
        if m.rrule:
            start_days = m.starts_days_ago or 0
            due_at = (now - timedelta(days=start_days)).replace(
                hour=0, minute=0, second=0, microsecond=0
            ) + hour
        else:
            due_at = (now + timedelta(days=m.due_in_days or 0)).replace(
                hour=0, minute=0, second=0, microsecond=0
            ) + hour
        created_c = commitments.create_commitment(
            session,
            actor=OPERATOR,
            now=now,
            customer_id=customer_ids[m.customer_key],
            title=m.title,
            kind=CommitmentKind(m.kind),
            currency=m.currency,
            due_at=due_at,
            rrule=m.rrule,
            grace_hours=m.grace_hours,
            owner_id=users[m.owner_email].id,
            value=m.value,
            external_id=m.key,
        )
        commitment_ids[m.key] = created_c.id
        for d in m.deliveries:
            commitments.add_delivery(
                session,
                actor=OPERATOR,
                now=now,
                commitment_id=created_c.id,
                delivered_at=now - timedelta(days=d.days_ago, hours=rng.randint(0, 6)),
                note=d.note,
                by_user_id=users[m.owner_email].id,
            )
            deliveries += 1

    message_count = 0
    approver = people.actor_for(users[OWNER_EMAIL])
    for k in content.CASES:
        owner = users[k.owner_email]
        actor = people.actor_for(owner)
        opened = now - timedelta(days=k.opened_days_ago)
        case = flows.open_case(
            session,
            actor=actor,
            now=opened,
            customer_id=customer_ids[k.customer_key],
            owner_id=owner.id,
            title=k.title,
            severity=Severity(k.severity),
            category=Category(k.category),
            origin=Origin(k.origin),
            commitment_id=commitment_ids[k.commitment_key] if k.commitment_key else None,
            playbook=playbook,
        )
        for msg in sorted(k.messages, key=lambda x: -x.days_ago):
            messages.record_message(
                session,
                actor=actor,
                now=now - timedelta(days=msg.days_ago),
                direction=Direction(msg.direction),
                channel=Channel.EMAIL,
                text=msg.text,
                subject=msg.subject,
                language=msg.language,
                case_id=case.id,
                playbook=playbook,
            )
            message_count += 1
        # A complaint that names an employee makes them a participant: they see the case
        # and give their side before it closes.
        inbound = " ".join(m.text for m in k.messages if m.direction == "inbound")
        for user in users.values():
            if user.role == Role.EMPLOYEE.value and user.name in inbound:
                cases.add_participant(
                    session, case=case, user_id=user.id, reason="named", actor=actor, now=opened
                )
        _record_change(session, case.id, users, opened)
        _advance(session, case.id, actor, k, opened, now, playbook, approver)
    return {
        "users": len(users),
        "customers": len(customer_ids),
        "commitments": len(commitment_ids),
        "deliveries": deliveries,
        "cases": len(content.CASES),
        "messages": message_count,
    }


def _record_change(session: Session, case_id: int, users: dict[str, User], now: datetime) -> None:
    """Once a kind of failure forms a pattern, record the change the team made for it."""
    from amends.demo.changes import CHANGES
    from amends.patterns import actions
    from amends.patterns import service as patterns
    from amends.patterns.rules import ChangeKind, PatternStatus

    for pattern in patterns.patterns_of_case(session, case_id):
        change = CHANGES.get(pattern.category)
        if pattern.status != PatternStatus.OPEN.value or change is None:
            continue
        actions.add_action(
            session,
            actor=OPERATOR,
            now=now,
            root_cause=change.root_cause,
            change_kind=ChangeKind(change.change_kind),
            description=change.description,
            owner_id=users[change.owner_email].id,
            due_on=(now + timedelta(days=change.due_in_days)).date(),
            pattern_ids=[pattern.id],
        )


def _advance(
    session: Session,
    case_id: int,
    actor: Actor,
    k: content.DemoCase,
    opened: datetime,
    now: datetime,
    playbook: Playbook,
    approver: Actor,
) -> None:
    """Walk the case to its demo state one step at a time, spread over its life so far."""
    target = STATE_STEP[CaseState(k.state)] if k.state != CaseState.NEW else None
    if target is None:
        return
    walk = list(STEPS[: STEPS.index(target) + 1])
    span = (now - opened) / (len(walk) + 1)
    for i, step in enumerate(walk, start=1):
        outcome = None
        if step is Step.CLOSE:
            outcome = Outcome(k.outcome) if k.outcome else Outcome.RETAINED
        compensation = None
        if step is Step.COMPENSATE:
            compensation = CompensationInput("credit", Decimal("50"), None, "demo: goodwill credit")
        result = flows.perform_steps(
            session,
            case_id,
            actor=actor,
            now=opened + span * i,
            playbook=playbook,
            steps=[step],
            outcome=outcome,
            compensation=compensation,
        )
        if result.held and result.compensation_id is not None:
            # Above the agent's limit in the customer's currency: the owner approves it,
            # which completes the step, as a manager would in the app.
            flows.decide_compensation(
                session,
                result.compensation_id,
                actor=approver,
                now=opened + span * i,
                playbook=playbook,
                approve=True,
                note="demo: approved",
            )


def write_sign_in(home: Path, password: str, email: str) -> DemoSignIn:
    path = home / SIGN_IN_FILE
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{email}\n{password}\n")
    return DemoSignIn(email, password)


def read_sign_in(home: Path) -> DemoSignIn | None:
    path = home / SIGN_IN_FILE
    if not path.exists():
        return None
    email, password = path.read_text().splitlines()[:2]
    return DemoSignIn(email, password)


def new_password() -> str:
    return secrets.token_urlsafe(12)


OWNER_EMAIL = "owner@amends-demo.example"
