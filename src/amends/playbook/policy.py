"""The workspace's playbook: SLA targets, required steps and business hours (pure).

It is read from ``playbook.toml`` in the workspace folder when present, else the
default shipped beside this module. Every problem is reported with where it is, so a
typo fails at start instead of silently changing how cases are handled.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Defined with the other errors so a command can report it without loading this module.
from amends.errors import PlaybookError as PlaybookError
from amends.fields import CURRENCIES
from amends.playbook.calendar import WEEKDAYS, BusinessCalendar, parse_hours
from amends.playbook.rules import (
    WORKSPACE_CURRENCY,
    Category,
    CompensationPolicy,
    PatternPolicy,
    PolicySettings,
    Severity,
    Step,
)

DEFAULT_PATH = Path(__file__).with_name("default.toml")
PLAYBOOK_FILE = "playbook.toml"
log = logging.getLogger(__name__)
CLOCKS = ("acknowledge", "remedy", "close")


@dataclass(frozen=True)
class Targets:
    acknowledge: timedelta
    remedy: timedelta
    close: timedelta


@dataclass(frozen=True)
class Rule:
    targets: Targets
    required: tuple[Step, ...]


@dataclass(frozen=True)
class WinbackPolicy:
    """Persisting with a lost customer: the days after losing them when the owner writes
    again, and how long after the last follow-up silence means they are not coming back."""

    days: tuple[int, ...] = (3, 10, 30, 60)
    conclude_after: timedelta = timedelta(days=14)


@dataclass(frozen=True)
class WatchPolicy:
    """After a recovery, the customer's next ``commitments`` occurrences are watched by the
    owner, who is told ``notice`` before each falls due; 0 watches nothing."""

    commitments: int = 3
    notice: timedelta = timedelta(days=1)


@dataclass(frozen=True)
class Playbook:
    calendar: BusinessCalendar
    by_severity: dict[Severity, Rule]
    by_category: dict[Category, dict[str, Any]] = field(default_factory=dict)
    compensation: CompensationPolicy = field(default_factory=CompensationPolicy)
    patterns: PatternPolicy = field(default_factory=PatternPolicy)
    winback: WinbackPolicy = field(default_factory=WinbackPolicy)
    watch: WatchPolicy = field(default_factory=WatchPolicy)

    def rule(self, severity: Severity, category: Category) -> Rule:
        """The severity's rule with the category's overrides applied."""
        base = self.by_severity[severity]
        override = self.by_category.get(category)
        if not override:
            return base
        targets = base.targets
        if "sla" in override:
            targets = Targets(**{**targets.__dict__, **override["sla"]})
        # A category adds steps to its severity's list; it never removes any.
        extra = set(override.get("required", ()))
        required = tuple(s for s in Step if s in set(base.required) | extra)
        return Rule(targets, required)


def _minutes(value: object, where: str) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise PlaybookError(f"{where} must be a positive number of business minutes")
    return timedelta(minutes=value)


def _steps(value: object, where: str) -> tuple[Step, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlaybookError(f"{where} must be a list of step names")
    known = {s.value for s in Step}
    unknown = [v for v in value if v not in known]
    if unknown:
        raise PlaybookError(
            f"{where}: unknown step(s) {', '.join(unknown)}; use {', '.join(sorted(known))}"
        )
    steps = tuple(Step(v) for v in value)
    if Step.CLOSE in steps:
        raise PlaybookError(f"{where}: 'close' is always required and is not listed")
    return tuple(sorted(set(steps) | {Step.ACKNOWLEDGE}, key=list(Step).index))


def _clock_values(table: object, where: str) -> dict[str, timedelta]:
    if not isinstance(table, dict):
        raise PlaybookError(f"[{where}] must be a table")
    unknown = set(table) - set(CLOCKS)
    if unknown:
        raise PlaybookError(f"[{where}] has unknown key(s) {', '.join(sorted(unknown))}")
    return {clock: _minutes(table[clock], f"[{where}] {clock}") for clock in table}


def _targets(table: object, where: str) -> Targets:
    values = _clock_values(table, where)
    for clock in CLOCKS:
        if clock not in values:
            raise PlaybookError(f"[{where}] needs {clock} (business minutes)")
    return Targets(**values)


def _calendar(table: dict[str, Any], workspace_timezone: str) -> BusinessCalendar:
    tz = table.get("timezone", "workspace")
    tz = workspace_timezone if tz == "workspace" else tz
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise PlaybookError(f"[business_hours] timezone {tz!r} is not an IANA name") from None
    unknown = set(table) - set(WEEKDAYS) - {"timezone", "holidays"}
    if unknown:
        raise PlaybookError(f"[business_hours] has unknown key(s) {', '.join(sorted(unknown))}")
    try:
        hours = tuple(parse_hours(str(table.get(day, "closed"))) for day in WEEKDAYS)
    except ValueError as exc:
        raise PlaybookError(f"[business_hours] {exc}") from None
    holidays: set[date] = set()
    for item in table.get("holidays", []):
        try:
            holidays.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError:
            raise PlaybookError(f"[business_hours] holiday {item!r} is not YYYY-MM-DD") from None
    try:
        return BusinessCalendar(str(tz), hours, frozenset(holidays))
    except ValueError as exc:
        raise PlaybookError(f"[business_hours] {exc}") from None


def parse(text: str, *, workspace_timezone: str = "UTC", source: str = "playbook") -> Playbook:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError(f"{source}: not valid TOML: {exc}") from None
    try:
        return _build(data, workspace_timezone)
    except PlaybookError as exc:
        raise PlaybookError(f"{source}: {exc}") from None


def _build(data: dict[str, Any], workspace_timezone: str) -> Playbook:
    unknown = set(data) - {
        "business_hours",
        "severity",
        "category",
        "empowerment",
        "compensation",
        "patterns",
        "winback",
        "watch",
    }
    if unknown:
        raise PlaybookError(f"unknown section(s) {', '.join(sorted(unknown))}")
    calendar = _calendar(data.get("business_hours", {}), workspace_timezone)
    severities = data.get("severity", {})
    by_severity: dict[Severity, Rule] = {}
    for severity in Severity:
        table = severities.get(severity.value)
        if table is None:
            raise PlaybookError(f"[severity.{severity.value}] is missing")
        where = f"severity.{severity.value}"
        by_severity[severity] = Rule(
            _targets(table.get("sla"), f"{where}.sla"),
            _steps(table.get("required"), f"[{where}] required"),
        )
    extra = set(severities) - {s.value for s in Severity}
    if extra:
        raise PlaybookError(f"unknown severity {', '.join(sorted(extra))}")
    by_category: dict[Category, dict[str, Any]] = {}
    for name, table in data.get("category", {}).items():
        try:
            category = Category(name)
        except ValueError:
            raise PlaybookError(f"[category.{name}] is not a known category") from None
        override: dict[str, Any] = {}
        if "sla" in table:
            override["sla"] = _clock_values(table["sla"], f"category.{name}.sla")
        if "required" in table:
            override["required"] = _steps(table["required"], f"[category.{name}] required")
        by_category[category] = override
    compensation = _compensation(data.get("compensation", {}), data.get("empowerment", {}))
    return Playbook(
        calendar,
        by_severity,
        by_category,
        compensation,
        _patterns(data.get("patterns", {})),
        _winback(data.get("winback", {})),
        _watch(data.get("watch", {})),
    )


def _amount(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PlaybookError(f"{where} must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PlaybookError(f"{where} must be a number") from None
    if not amount.is_finite() or amount < 0:
        raise PlaybookError(f"{where} must be zero or more")
    return amount


def _per_currency(
    table: object, where: str, *, rates: bool = False
) -> tuple[tuple[str, Decimal], ...]:
    if not isinstance(table, dict):
        raise PlaybookError(f"[{where}] must be a table of currency = amount")
    found = []
    for key, value in table.items():
        code = key if key == WORKSPACE_CURRENCY and not rates else key.upper()
        if code != WORKSPACE_CURRENCY and code not in CURRENCIES:
            raise PlaybookError(
                f"[{where}] {key!r} is not an ISO 4217 currency code"
                + ("" if rates else f" or {WORKSPACE_CURRENCY!r}")
            )
        amount = _amount(value, f"[{where}] {key}")
        if rates and amount == 0:
            raise PlaybookError(f"[{where}] {key} must be more than zero")
        found.append((code, amount))
    return tuple(found)


def _compensation(table: object, empowerment: object) -> CompensationPolicy:
    if not isinstance(table, dict):
        raise PlaybookError("[compensation] must be a table")
    if not isinstance(empowerment, dict):
        raise PlaybookError("[empowerment] must be a table")
    shares = {f.name for f in fields(PolicySettings)}
    unknown = set(table) - shares - {"agent_limit", "cap", "rates"}
    if unknown:
        raise PlaybookError(f"[compensation] has unknown key(s) {', '.join(sorted(unknown))}")
    if set(empowerment) - {"agent_compensation_limit"}:
        extra = ", ".join(sorted(set(empowerment) - {"agent_compensation_limit"}))
        raise PlaybookError(f"[empowerment] has unknown key(s) {extra}")
    base = CompensationPolicy()
    limit = base.agent_limit
    if "agent_compensation_limit" in empowerment:
        if "agent_limit" in table:
            raise PlaybookError(
                "give the agent's limit once: [compensation] agent_limit, or the older "
                "[empowerment] agent_compensation_limit"
            )
        amount = _amount(
            empowerment["agent_compensation_limit"], "[empowerment] agent_compensation_limit"
        )
        limit = ((WORKSPACE_CURRENCY, amount),)
    if "agent_limit" in table:
        limit = _per_currency(table["agent_limit"], "compensation.agent_limit")
    settings = PolicySettings(
        **{name: _amount(table[name], f"[compensation] {name}") for name in shares if name in table}
    )
    return CompensationPolicy(
        settings=settings,
        agent_limit=limit,
        cap=_per_currency(table["cap"], "compensation.cap") if "cap" in table else base.cap,
        rates=_per_currency(table.get("rates", {}), "compensation.rates", rates=True),
    )


def _days(table: dict[str, Any], key: str, default: timedelta) -> timedelta:
    value = table.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PlaybookError(f"[patterns] {key} must be a whole number of days, 1 or more")
    return timedelta(days=value)


def _patterns(table: object) -> PatternPolicy:
    if not isinstance(table, dict):
        raise PlaybookError("[patterns] must be a table")
    known = {"min_customers", "window_days", "text_similarity", "by_category", "repeat_days"}
    unknown = set(table) - known
    if unknown:
        raise PlaybookError(f"[patterns] has unknown key(s) {', '.join(sorted(unknown))}")
    base = PatternPolicy()
    minimum = table.get("min_customers", base.min_customers)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 2:
        raise PlaybookError("[patterns] min_customers must be a whole number, 2 or more")
    similarity = table.get("text_similarity", base.text_similarity)
    if isinstance(similarity, bool) or not isinstance(similarity, int | float):
        raise PlaybookError("[patterns] text_similarity must be a number between 0 and 1")
    if not 0 < similarity <= 1:
        raise PlaybookError("[patterns] text_similarity must be a number between 0 and 1")
    by_category = table.get("by_category", base.by_category)
    if not isinstance(by_category, bool):
        raise PlaybookError("[patterns] by_category must be true or false")
    return PatternPolicy(
        min_customers=minimum,
        window=_days(table, "window_days", base.window),
        text_similarity=float(similarity),
        by_category=by_category,
        repeat_window=_days(table, "repeat_days", base.repeat_window),
    )


def _whole(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PlaybookError(f"{where} must be a whole number from {low} to {high}")
    return value


def _winback(table: object) -> WinbackPolicy:
    if not isinstance(table, dict):
        raise PlaybookError("[winback] must be a table")
    unknown = set(table) - {"days", "conclude_after_days"}
    if unknown:
        raise PlaybookError(f"[winback] has unknown key(s) {', '.join(sorted(unknown))}")
    base = WinbackPolicy()
    days = table.get("days", list(base.days))
    if not isinstance(days, list) or len(days) > 12:
        raise PlaybookError("[winback] days must be a list of at most 12 days, e.g. [3, 10, 30]")
    found = tuple(_whole(day, "[winback] each of days", 1, 3650) for day in days)
    # Each follow-up comes after the one before: the same day twice would be two mails.
    if any(later <= earlier for earlier, later in pairwise(found)):
        raise PlaybookError("[winback] days must rise, each later than the one before")
    conclude = base.conclude_after
    if "conclude_after_days" in table:
        conclude = timedelta(
            days=_whole(table["conclude_after_days"], "[winback] conclude_after_days", 1, 365)
        )
    return WinbackPolicy(found, conclude)


def _watch(table: object) -> WatchPolicy:
    if not isinstance(table, dict):
        raise PlaybookError("[watch] must be a table")
    unknown = set(table) - {"commitments", "notice_hours"}
    if unknown:
        raise PlaybookError(f"[watch] has unknown key(s) {', '.join(sorted(unknown))}")
    base = WatchPolicy()
    count = _whole(table.get("commitments", base.commitments), "[watch] commitments", 0, 50)
    hours = _whole(table.get("notice_hours", 24), "[watch] notice_hours", 1, 24 * 30)
    return WatchPolicy(count, timedelta(hours=hours))


def load(home: Path, *, workspace_timezone: str) -> Playbook:
    """The workspace's playbook, or the shipped default when it has none."""
    path = home / PLAYBOOK_FILE
    if not path.exists():
        path = DEFAULT_PATH
    return parse(
        path.read_text(encoding="utf-8"), workspace_timezone=workspace_timezone, source=str(path)
    )


def text_of(home: Path) -> tuple[str, bool]:
    """The playbook file's text, and whether it is the shipped default (no file yet)."""
    path = home / PLAYBOOK_FILE
    if path.exists():
        return path.read_text(encoding="utf-8"), False
    return DEFAULT_PATH.read_text(encoding="utf-8"), True


def save(home: Path, text: str, *, workspace_timezone: str) -> Playbook:
    """Check ``text`` exactly as a start does and, only if it passes, make it the
    workspace's playbook: written whole (a reader never sees half a file), owner-only."""
    checked = parse(text, workspace_timezone=workspace_timezone, source=PLAYBOOK_FILE)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = home / PLAYBOOK_FILE
    spare = path.with_name(f".{PLAYBOOK_FILE}.{os.getpid()}.new")
    descriptor = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(spare, path)
    return checked


class PlaybookFile:
    """The playbook as a long-running process holds it: read again when the file changes
    (a manager saved a new one in the browser, or someone edited it), so every server and
    worker follows within one request. A file broken by hand keeps the last good playbook
    in force and says so in the log; saving through amends never writes a broken one."""

    def __init__(self, home: Path, *, workspace_timezone: str) -> None:
        self.home = home
        self.workspace_timezone = workspace_timezone
        self._stamp = self._file_stamp()
        self._playbook = load(home, workspace_timezone=workspace_timezone)

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            found = (self.home / PLAYBOOK_FILE).stat()
        except FileNotFoundError:
            return None
        return found.st_mtime_ns, found.st_size

    def current(self) -> Playbook:
        stamp = self._file_stamp()
        if stamp != self._stamp:
            try:
                self._playbook = load(self.home, workspace_timezone=self.workspace_timezone)
            except PlaybookError as exc:
                log.warning("kept the last good playbook: %s", exc)
            self._stamp = stamp
        return self._playbook
