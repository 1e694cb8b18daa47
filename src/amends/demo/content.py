"""The demo workspace's content: people, customers, promises, complaints and changes.

The content itself is TOML under ``data/`` (shipped with the package); this module
reads it and checks every value against the domain's own enums, so a typo in a file is
refused with the file and the field named instead of failing half-way through a load.
``amends.demo.load`` turns it into rows. Times are given relative to the moment the demo
is created (``days_ago`` / ``due_in_days``) so the demo always looks current.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from amends.cases.rules import CaseState, Category, Origin, Outcome, Severity
from amends.commitments.rules import CommitmentKind
from amends.customers.rules import CustomerStatus, Tier
from amends.errors import InvalidInput
from amends.messages.rules import Direction
from amends.patterns.rules import ChangeKind
from amends.people.rules import Role
from amends.text.address import GenderForm

DATA = Path(__file__).parent / "data"

# BCP 47 as the demo uses it: a language, optionally a region or script.
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
# The interface languages: a demo user who could not read the pages would be no use.
UiLanguage = Literal["en", "th", "sk", "el"]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]+$")]
Text = Annotated[str, StringConstraints(min_length=1)]


class _Data(BaseModel):
    # A misspelt field name is as wrong as a misspelt value.
    model_config = ConfigDict(frozen=True, extra="forbid")


class DemoUser(_Data):
    email: Email
    name: Text
    role: Role
    language: UiLanguage
    team: Text | None = None  # the team's name; teams are made as they are named
    gender_form: GenderForm | None = None  # the gender their drafts speak in


class DemoContact(_Data):
    name: Text
    email: Email
    gender_form: GenderForm | None = None  # how drafts greet them; else from the name


class DemoCustomer(_Data):
    key: Text  # stable slug, unique
    name: Text  # company or person, in its own script
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]  # ISO 3166-1 alpha-2
    language: Language  # preferred language
    timezone: Text  # IANA name
    currency: Currency
    recurring_value: Decimal = Field(ge=0)  # per month, in ``currency``
    tier: Tier
    status: CustomerStatus
    contacts: tuple[DemoContact, ...]


class DemoDelivery(_Data):
    days_ago: int = Field(ge=0)
    note: Text


class DemoCommitment(_Data):
    key: Text  # stable slug, unique
    customer_key: Text
    title: Text  # in the customer's language
    kind: CommitmentKind
    owner_email: Email  # one of the users
    value: Decimal = Field(ge=0)
    currency: Currency
    # A one-off promise has ``due_in_days`` (negative = in the past); a recurring one has
    # an RFC 5545 RRULE and ``starts_days_ago`` for its DTSTART.
    due_in_days: int | None = None
    rrule: str | None = None
    starts_days_ago: int | None = None
    grace_hours: int = Field(default=24, ge=0)
    deliveries: tuple[DemoDelivery, ...] = ()


class DemoMessage(_Data):
    direction: Direction
    days_ago: float = Field(ge=0)
    subject: Text
    text: Text  # in the language below
    language: Language


class DemoCase(_Data):
    customer_key: Text
    owner_email: Email
    title: Text
    category: Category
    severity: Severity
    state: CaseState
    origin: Origin
    opened_days_ago: float = Field(ge=0)
    outcome: Outcome | None = None  # for closed cases only
    commitment_key: str | None = None
    messages: tuple[DemoMessage, ...] = ()


class DemoChange(_Data):
    category: Category  # recorded when this category's cases first form a pattern
    root_cause: Text
    change_kind: ChangeKind
    description: Text
    # The change in the customers' other languages (language -> sentence).
    wordings: dict[UiLanguage, Text] = {}
    owner_email: Email
    due_in_days: int = Field(ge=0)


class DemoFile(_Data):
    """What one data file may hold; the files together make the demo."""

    users: tuple[DemoUser, ...] = ()
    customers: tuple[DemoCustomer, ...] = ()
    commitments: tuple[DemoCommitment, ...] = ()
    cases: tuple[DemoCase, ...] = ()
    changes: tuple[DemoChange, ...] = ()


class DemoDataError(InvalidInput):
    code = "demo-data-invalid"


def _where(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_file(path: Path) -> DemoFile:
    """One data file, checked; a mistake is refused naming the file and the field."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DemoDataError(f"{path.name}: not valid TOML: {exc}") from None
    try:
        return DemoFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            got = f" (got {error['input']!r})" if error["type"] != "missing" else ""
            problems.append(f"{path.name}: {_where(error['loc'])}: {error['msg']}{got}")
        raise DemoDataError("; ".join(problems)) from None


class DemoContent(_Data):
    users: tuple[DemoUser, ...]
    customers: tuple[DemoCustomer, ...]
    commitments: tuple[DemoCommitment, ...]
    cases: tuple[DemoCase, ...]
    changes: tuple[DemoChange, ...]


# The order rows are made in, so case and customer numbers stay the same from one demo
# to the next (the README sends newcomers to C-3); other files follow in name order.
ORDER = ("people.toml", "promises.toml", "routines.toml", "stories.toml", "outcomes.toml")


def read(folder: Path = DATA) -> DemoContent:
    """Every ``*.toml`` in ``folder`` with references checked across files."""
    paths = sorted(folder.glob("*.toml"), key=lambda p: _rank(p.name))
    parts = [(path.name, read_file(path)) for path in paths]
    content = DemoContent(
        users=tuple(u for _, f in parts for u in f.users),
        customers=tuple(c for _, f in parts for c in f.customers),
        commitments=tuple(m for _, f in parts for m in f.commitments),
        cases=tuple(k for _, f in parts for k in f.cases),
        changes=tuple(c for _, f in parts for c in f.changes),
    )
    _check_references(parts, content)
    return content


def _rank(name: str) -> tuple[int, str]:
    return (ORDER.index(name), "") if name in ORDER else (len(ORDER), name)


def _check_references(parts: list[tuple[str, DemoFile]], content: DemoContent) -> None:
    users = {u.email for u in content.users}
    customers = {c.key for c in content.customers}
    commitments = {m.key for m in content.commitments}
    problems = []
    for name, f in parts:
        for i, m in enumerate(f.commitments):
            if m.customer_key not in customers:
                problems.append(
                    f"{name}: commitments[{i}].customer_key: no customer {m.customer_key!r}"
                )
            if m.owner_email not in users:
                problems.append(f"{name}: commitments[{i}].owner_email: no user {m.owner_email!r}")
        for i, k in enumerate(f.cases):
            if k.customer_key not in customers:
                problems.append(f"{name}: cases[{i}].customer_key: no customer {k.customer_key!r}")
            if k.owner_email not in users:
                problems.append(f"{name}: cases[{i}].owner_email: no user {k.owner_email!r}")
            if k.commitment_key is not None and k.commitment_key not in commitments:
                problems.append(
                    f"{name}: cases[{i}].commitment_key: no commitment {k.commitment_key!r}"
                )
            if (k.state is CaseState.CLOSED) != (k.outcome is not None):
                problems.append(f"{name}: cases[{i}].outcome: a closed case has one, others none")
        for i, c in enumerate(f.changes):
            if c.owner_email not in users:
                problems.append(f"{name}: changes[{i}].owner_email: no user {c.owner_email!r}")
    if problems:
        raise DemoDataError("; ".join(problems))


@cache
def shipped() -> DemoContent:
    """The demo shipped with amends, read once per process."""
    return read(DATA)
