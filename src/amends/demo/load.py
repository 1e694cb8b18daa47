"""Turn the demo content into a workspace, through the same services a user's actions use."""

from __future__ import annotations

import os
import random
import re
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amends.cases import statements
from amends.cases.rules import (
    STEP_STATE,
    STEPS,
    CaseState,
    Outcome,
    Step,
)
from amends.commitments import service as commitments
from amends.config import Settings
from amends.customers import service as customers
from amends.demo import SIGN_IN_FILE, content
from amends.messages import service as messages
from amends.messages.rules import Channel, Direction
from amends.people import service as people
from amends.people.models import Team, User
from amends.people.rules import OPERATOR, Actor, Role
from amends.playbook.policy import DEFAULT_PATH, Playbook
from amends.recovery import flows
from amends.recovery.flows import CompensationInput
from amends.workspace import service as workspace

SEED = 20261122
STATE_STEP = {state: step for step, state in STEP_STATE.items()}


@dataclass(frozen=True)
class SignInRow:
    role: str
    language: str  # the interface language this person sees
    email: str
    name: str


@dataclass(frozen=True)
class DemoSignIns:
    """Who to sign in as to see each role and each interface language; one shared password."""

    password: str
    rows: tuple[SignInRow, ...]

    def describe(self) -> str:
        """A table a person can read and a program can parse (columns split by 2+ spaces)."""
        header = SignInRow("role", "UI language", "email", "name")
        table = [header, *self.rows]
        widths = [max(len(getattr(r, f)) for r in table) for f in ("role", "language", "email")]
        lines = [f"password (every demo user): {self.password}"]
        for r in table:
            cells = (r.role, r.language, r.email)
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + r.name
            )
        return "\n".join(lines)

    def for_language(self, language: str) -> SignInRow:
        return next(r for r in self.rows if r.role == Role.AGENT.value and r.language == language)


def sign_in_rows() -> tuple[SignInRow, ...]:
    """The owner, a manager, and the first agent of each interface language."""
    users = content.shipped().users
    picked = [next(u for u in users if u.role is role) for role in (Role.OWNER, Role.MANAGER)]
    for language in ("th", "sk", "el", "en"):
        picked += [next(u for u in users if u.role is Role.AGENT and u.language == language)]
    return tuple(SignInRow(u.role, u.language, u.email, u.name) for u in picked)


def has_data(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def load(
    session: Session, *, settings: Settings, now: datetime, password: str, playbook: Playbook
) -> dict[str, int]:
    """Create the demo workspace's rows; returns counts of what was made."""
    rng = random.Random(SEED)
    demo = content.shipped()
    workspace.ensure(session, settings=settings, now=now)
    users: dict[str, User] = {}
    # One slow hash for the one password every demo user shares.
    shared = people.hash_password(password)
    for u in demo.users:
        users[u.email] = people.create_user(
            session,
            email=u.email,
            name=u.name,
            role=u.role,
            now=now,
            password_hash=shared,
            language=u.language,
        )
        users[u.email].gender_form = u.gender_form
    teams: dict[str, Team] = {}
    for u in demo.users:
        if u.team is not None:
            if u.team not in teams:
                teams[u.team] = people.create_team(session, actor=OPERATOR, name=u.team, now=now)
            people.set_team(
                session, actor=OPERATOR, user=users[u.email], team=teams[u.team], now=now
            )

    customer_ids: dict[str, int] = {}
    for c in demo.customers:
        created = customers.create_customer(
            session,
            actor=OPERATOR,
            now=now,
            name=c.name,
            language=c.language,
            timezone=c.timezone,
            currency=c.currency,
            recurring_value=c.recurring_value,
            tier=c.tier,
            status=c.status,
            external_id=c.key,
            contacts=[
                customers.ContactInput(
                    name=p.name, email=p.email, is_primary=i == 0, gender_form=p.gender_form
                )
                for i, p in enumerate(c.contacts)
            ],
        )
        customer_ids[c.key] = created.id

    commitment_ids: dict[str, int] = {}
    deliveries = 0
    for m in demo.commitments:
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
            kind=m.kind,
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
    staff = statements.staff(session)
    approver = people.actor_for(next(u for u in users.values() if u.role == Role.OWNER.value))
    for k in demo.cases:
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
            severity=k.severity,
            category=k.category,
            origin=k.origin,
            commitment_id=commitment_ids[k.commitment_key] if k.commitment_key else None,
            playbook=playbook,
        )
        for msg in sorted(k.messages, key=lambda x: -x.days_ago):
            messages.record_message(
                session,
                actor=actor,
                now=now - timedelta(days=msg.days_ago),
                direction=msg.direction,
                channel=Channel.EMAIL,
                text=msg.text,
                subject=msg.subject,
                language=msg.language,
                case_id=case.id,
                playbook=playbook,
            )
            message_count += 1
        # The complaint's employees are found as intake finds them in a real one.
        complaint = next((m for m in k.messages if m.direction is Direction.INBOUND), None)
        if complaint is not None:
            statements.note_named(
                session,
                case,
                subject=complaint.subject,
                text=complaint.text,
                language=complaint.language,
                actor=actor,
                now=opened,
                people=staff,
            )
        _record_change(session, case.id, users, opened, demo.changes)
        _advance(session, case.id, actor, k, opened, now, playbook, approver)
    return {
        "users": len(users),
        "customers": len(customer_ids),
        "commitments": len(commitment_ids),
        "deliveries": deliveries,
        "cases": len(demo.cases),
        "messages": message_count,
    }


def _record_change(
    session: Session,
    case_id: int,
    users: dict[str, User],
    now: datetime,
    changes: tuple[content.DemoChange, ...],
) -> None:
    """Once a kind of failure forms a pattern, record the change the team made for it."""
    from amends.patterns import actions
    from amends.patterns import service as patterns
    from amends.patterns.rules import PatternStatus

    by_category = {c.category.value: c for c in changes}
    for pattern in patterns.patterns_of_case(session, case_id):
        change = by_category.get(pattern.category)
        if pattern.status is not PatternStatus.OPEN or change is None:
            continue
        actions.add_action(
            session,
            actor=OPERATOR,
            now=now,
            root_cause=change.root_cause,
            change_kind=change.change_kind,
            description=change.description,
            wordings={str(language): text for language, text in change.wordings.items()},
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
    target = STATE_STEP[k.state] if k.state is not CaseState.NEW else None
    if target is None:
        return
    walk = list(STEPS[: STEPS.index(target) + 1])
    span = (now - opened) / (len(walk) + 1)
    for i, step in enumerate(walk, start=1):
        outcome = None
        if step is Step.CLOSE:
            outcome = k.outcome or Outcome.RETAINED
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
            # The demo's earlier steps were done on the phone; its messages are its story.
            call_note=f"demo: called the customer ({step.value})",
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


# What one baht is worth in euros, about: the demo's Thai customers pay in baht.
DEMO_RATES = "THB = 0.026"


def write_playbook(home: Path) -> bool:
    """Give a new demo the shipped playbook with a rate for the baht, so compensation for
    its Thai customers has an agent limit as it does in euros (without a rate, every
    grant in baht waits for a manager). A workspace's own playbook is never replaced."""
    path = home / "playbook.toml"
    if path.exists():
        return False
    shipped = DEFAULT_PATH.read_text(encoding="utf-8")
    commented = f"# {DEMO_RATES}"
    if commented not in shipped:
        raise RuntimeError(f"the shipped playbook no longer has the line {commented!r}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(shipped.replace(commented, DEMO_RATES, 1))
    return True


def write_sign_in(home: Path, password: str) -> DemoSignIns:
    """Keep the sign-ins beside the demo's data, readable by its owner only (mode 0600)."""
    sign_ins = DemoSignIns(password, sign_in_rows())
    path = home / SIGN_IN_FILE
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(sign_ins.describe() + "\n")
    return sign_ins


def read_sign_in(home: Path) -> DemoSignIns | None:
    path = home / SIGN_IN_FILE
    if not path.exists():
        return None
    return parse_sign_ins(path.read_text())


def parse_sign_ins(text: str) -> DemoSignIns:
    """The table ``describe`` wrote (or ``amends demo`` printed) back into sign-ins."""
    lines = [line for line in text.splitlines() if line.strip()]
    marker = "password (every demo user):"
    start = next((i for i, line in enumerate(lines) if line.startswith(marker)), None)
    if start is None:
        # A demo made before the table kept only the owner's email and the password.
        email, password = [*lines, "", ""][:2]
        return DemoSignIns(password.strip(), (SignInRow("owner", "en", email.strip(), ""),))
    password = lines[start].split(":", 1)[1].strip()
    rows = []
    for line in lines[start + 2 :]:
        cells = re.split(r"\s{2,}", line.strip(), maxsplit=3)
        if len(cells) != 4:
            break
        rows.append(SignInRow(*cells))
    return DemoSignIns(password, tuple(rows))


def new_password() -> str:
    return secrets.token_urlsafe(12)
