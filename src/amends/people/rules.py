"""Who may do what: roles and the object-level access policy."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from amends.errors import N_


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    AGENT = "agent"
    EMPLOYEE = "employee"
    VIEWER = "viewer"


class Action(StrEnum):
    READ = "read"  # see customers, commitments, cases across the workspace
    WRITE = "write"  # create and change customers, commitments, cases, messages
    MANAGE = "manage"  # users, tokens of others, workspace settings


_GRANTS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.MANAGER: frozenset(Action),
    Role.AGENT: frozenset({Action.READ, Action.WRITE}),
    Role.VIEWER: frozenset({Action.READ}),
    # An employee is in the system to give their side of a complaint that names them,
    # not to browse the customer base: they see only cases they take part in.
    Role.EMPLOYEE: frozenset(),
}


def allows(role: Role, action: Action) -> bool:
    return action in _GRANTS[role]


def can_see_case(role: Role, user_id: int, *, owner_id: int, participant_ids: set[int]) -> bool:
    """Workspace-wide readers see every case; an employee only the ones they are part of."""
    if allows(role, Action.READ):
        return True
    return user_id == owner_id or user_id in participant_ids


def can_own_cases(role: Role) -> bool:
    """Only people who act on cases may be their single owner."""
    return role in {Role.OWNER, Role.MANAGER, Role.AGENT}


class Actor:
    """Who is acting: a signed-in user, or the local operator at the command line."""

    __slots__ = ("name", "role", "user_id")

    def __init__(self, user_id: int | None, role: Role, name: str = "") -> None:
        self.user_id = user_id
        self.role = role
        self.name = name

    def allows(self, action: Action) -> bool:
        return allows(self.role, action)

    def __repr__(self) -> str:
        return f"Actor(user_id={self.user_id!r}, role={self.role.value!r})"


# Whoever can run commands on the server can already read the database file, so the CLI
# acts with the owner's rights and records no user as the actor.
OPERATOR = Actor(None, Role.OWNER, "operator")

# Background jobs act as the system itself; timeline events show no person.
SYSTEM = Actor(None, Role.OWNER, "amends")


# Sign-in throttling: a sliding window of failed attempts, per address and per client.
SIGN_IN_WINDOW = timedelta(minutes=15)
FAILURES_PER_ADDRESS = 5
# Higher: several people may share one address (an office behind NAT).
FAILURES_PER_CLIENT = 30


def blocked_until(
    failures: list[datetime], *, limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """When another attempt is allowed, if ``limit`` failures already fall in the window."""
    recent = sorted(at for at in failures if now - at < window)
    if len(recent) < limit:
        return None
    # Allowed again once the oldest failure that keeps the count at the limit leaves.
    return recent[-limit] + window


_RANK = {Role.VIEWER: 0, Role.EMPLOYEE: 0, Role.AGENT: 1, Role.MANAGER: 2, Role.OWNER: 3}


def access_change_refusal(
    actor: Actor, *, target_id: int, target_role: Role, new_role: Role | None, owners_left: int
) -> str:
    """Why ``actor`` may not change another person's access (role, password, being
    active), or "" when they may. ``new_role`` None means deactivating; ``owners_left``
    counts the active owners other than the target."""
    if not actor.allows(Action.MANAGE):
        return N_("your role may not change people's access")
    touches_owner = Role.OWNER in (target_role, new_role)
    if touches_owner and actor.role is not Role.OWNER:
        return N_("only an owner may change an owner's access or make someone an owner")
    if actor.user_id == target_id and new_role is not None and _RANK[new_role] > _RANK[target_role]:
        return N_("nobody may raise their own role")
    losing_owner = target_role is Role.OWNER and new_role is not Role.OWNER
    if losing_owner and owners_left == 0:
        return N_("this is the last active owner; make someone else an owner first")
    return ""
