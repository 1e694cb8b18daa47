"""Who may do what: roles and the object-level access policy."""

from __future__ import annotations

from enum import StrEnum


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
