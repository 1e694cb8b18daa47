"""The manager's overview: the dashboard at ``/`` and the report pages with CSV export.

Every figure comes from the functions behind ``amends report --json``,
``amends compensation report --json``, ``amends patterns themes --json`` and
``/api/v1/reports/*``; this module only chooses the period and the team, and lays the
numbers out as tables and as the data the charts draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amends.compensation import report as ledger
from amends.config import Settings
from amends.fields import MAX_DB_INT
from amends.patterns import themes
from amends.people import service as people
from amends.people.deps import PageUser, SignedIn
from amends.people.rules import Action
from amends.reports import service
from amends.web import i18n
from amends.web.csvexport import csv_download
from amends.web.deps import AppClock, AppPlaybook, DbSession, get_settings
from amends.web.render import render

router = APIRouter(include_in_schema=False)
AppSettings = Annotated[Settings, Depends(get_settings)]
TeamId = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]
THEMES_SHOWN = 10


class Period(StrEnum):
    """The periods a manager picks from: cases opened (or compensation given) in the last
    N days, or all time (which reads the kept tallies: the fastest)."""

    ALL = "all"
    WEEK = "7"
    MONTH = "30"
    QUARTER = "90"
    YEAR = "365"

    def since(self, now: datetime) -> datetime | None:
        return None if self is Period.ALL else now - timedelta(days=int(self.value))


PeriodParam = Annotated[Period, Query()]


def _manager(user: PageUser) -> None:
    people.require(user.actor, Action.MANAGE)


def _filters(session: Any, period: Period, team_id: int | None) -> dict[str, Any]:
    return {
        "period": period.value,
        "periods": list(Period),
        "team_id": team_id,
        "teams": people.list_teams(session),
    }


# --- the charts: what each draws, built from the same numbers as its table -------------


def _chart(kind: str, labels: list[str], series: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    """What static/dashboard.js draws: a kind (bar, line, doughnut), labels and series."""
    return {
        "kind": kind,
        "labels": labels,
        "series": [
            {"label": name, "data": [None if v is None else float(v) for v in values]}
            for name, values in series
        ],
    }


def _banded(rows: list[dict[str, Any]], ui: Any, _: Any) -> list[str]:
    """Each time-to-acknowledge band's label: "up to 15 min", ..., "more than 1 day", in
    the reader's language."""
    labels: list[str] = []
    previous = 0
    for row in rows:
        bound = row["up_to"]
        if bound is None:
            labels.append(_("more than %(span)s") % {"span": i18n.duration(previous, ui.language)})
        else:
            labels.append(_("up to %(span)s") % {"span": i18n.duration(bound, ui.language)})
            previous = bound
    return labels


def _ages(rows: list[dict[str, Any]], ui: Any) -> list[str]:
    """Each age band's label, in calendar days (UTC) as the report counts them: "opened
    today", "opened in the last 3 days", ..., "opened earlier"."""
    catalog = i18n.translations(ui.language)
    labels: list[str] = []
    for row in rows:
        days = row["up_to_days"]
        if days is None:
            labels.append(catalog.gettext("opened earlier"))
        elif days == 1:
            labels.append(catalog.gettext("opened today"))
        else:
            labels.append(
                catalog.ngettext(
                    "opened in the last %(n)s day", "opened in the last %(n)s days", days
                )
                % {"n": days}
            )
    return labels


def _dashboard_charts(
    report: dict[str, Any], money: dict[str, Any], focus: dict[str, Any], ui: Any, _: Any
) -> dict[str, Any]:
    language = ui.language
    charts: dict[str, Any] = {}
    ack = report["ack_distribution"]
    charts["ack"] = _chart(
        "bar",
        _banded(ack, ui, _),
        [(_("Cases"), [row["cases"] for row in ack])],
    )
    weeks = report["sla_by_week"]
    charts["weekly"] = _chart(
        "line",
        [i18n.day(datetime.fromisoformat(w["week_start"]), language, ui.timezone) for w in weeks],
        [
            (_("Acknowledged in time"), [w["ack_within_sla_pct"] for w in weeks]),
            (_("Remedied in time"), [w["remedy_within_sla_pct"] for w in weeks]),
            (_("Closed in time"), [w["close_within_sla_pct"] for w in weeks]),
        ],
    )
    owners = report["by_owner"]
    charts["handoffs"] = _chart(
        "bar",
        [o["owner"] or "—" for o in owners],
        [(_("Hand-offs per case"), [o["handoffs_per_case"] for o in owners])],
    )
    charts["one_interaction"] = _chart(
        "bar",
        [o["owner"] or "—" for o in owners],
        [(_("Solved in one interaction (%)"), [o["one_interaction_pct"] for o in owners])],
    )
    outcomes = report["outcome_counts"]
    charts["outcomes"] = _chart(
        "doughnut",
        [_(name) for name in outcomes],
        [(_("Cases"), list(outcomes.values()))],
    )
    charts["repeats"] = _chart(
        "doughnut",
        [_("Repeats of an earlier failure"), _("First failures")],
        [(_("Cases"), [report["repeats"], report["cases"] - report["repeats"]])],
    )
    ages = report["open_by_age"]
    charts["ages"] = _chart(
        "bar",
        _ages(ages, ui),
        [(_("Open cases"), [row["cases"] for row in ages])],
    )
    months = money["months"]
    charts["money"] = [
        (
            currency,
            _chart(
                "bar",
                [m["month"] for m in months],
                [
                    (_("Given"), [m["given"].get(currency, 0) for m in months]),
                    (_("Paid since"), [m["earned_since"].get(currency, 0) for m in months]),
                ],
            ),
        )
        for currency in money["currencies"]
    ]
    shown = focus["themes"][:THEMES_SHOWN]
    charts["themes"] = [
        (
            currency,
            _chart(
                "bar",
                [_theme_title(t, _) for t in shown],
                [
                    (
                        _("Monthly revenue at stake"),
                        [t["revenue_at_stake"].get(currency, 0) for t in shown],
                    )
                ],
            ),
        )
        for currency in focus["currencies"]
    ]
    return charts


def _theme_title(theme: dict[str, Any], _: Any) -> str:
    if theme["kind"] == "pattern":
        return f"{theme['key']} {theme['title']}"
    return str(_(theme["key"]))


def _currencies(rows: list[dict[str, str]]) -> list[str]:
    """Every currency named in some amounts, in order: each is charted on its own."""
    return sorted({currency for amounts in rows for currency in amounts})


def _ledger(
    session: Any,
    user: PageUser,
    now: datetime,
    settings: Settings,
    period: Period,
    team_id: int | None,
    entries: bool = False,
) -> dict[str, Any]:
    money = ledger.ledger_report(
        session,
        actor=user.actor,
        now=now,
        timezone=settings.timezone,
        since=period.since(now),
        team_id=team_id,
        entries=entries,
    )
    rows = [money["total"], *money["months"]]
    money["currencies"] = _currencies(
        [r[k] for r in rows for k in ("given", "earned_since", "recurring_kept")]
    )
    return money


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    playbook: AppPlaybook,
    settings: AppSettings,
    period: PeriodParam = Period.ALL,
    team: TeamId = None,
) -> Response:
    """Owners and managers see the dashboard; everyone else their inbox."""
    if not user.ctx.manages:
        return RedirectResponse("/cases", status_code=303)
    now = clock.now()
    since = period.since(now)
    report = service.recovery_report(session, actor=user.actor, since=since, team_id=team, now=now)
    money = _ledger(session, user, now, settings, period, team)
    focus = themes.themes(
        session,
        actor=user.actor,
        now=now,
        window=playbook.patterns.window if since is None else now - since,
        currency=settings.currency,
    )
    focus["currencies"] = _currencies([t["revenue_at_stake"] for t in focus["themes"]])
    _ = i18n.translations(user.ctx.language).gettext
    return render(
        request,
        "dashboard.html",
        user.ctx,
        report=report,
        book=money,
        themes=focus,
        themes_shown=focus["themes"][:THEMES_SHOWN],
        charts=_dashboard_charts(report, money, focus, user.ctx, _),
        ack_labels=_banded(report["ack_distribution"], user.ctx, _),
        age_labels=_ages(report["open_by_age"], user.ctx),
        Decimal=Decimal,
        **_filters(session, period, team),
    )


@router.get("/reports", response_class=HTMLResponse)
def recovery_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    period: PeriodParam = Period.ALL,
    team: TeamId = None,
) -> Response:
    _manager(user)
    now = clock.now()
    report = service.recovery_report(
        session, actor=user.actor, since=period.since(now), team_id=team
    )
    return render(
        request, "report_recovery.html", user.ctx, report=report, **_filters(session, period, team)
    )


@router.get("/reports/compensation", response_class=HTMLResponse)
def compensation_page(
    request: Request,
    session: DbSession,
    user: SignedIn,
    clock: AppClock,
    settings: AppSettings,
    period: PeriodParam = Period.ALL,
    team: TeamId = None,
) -> Response:
    _manager(user)
    money = _ledger(session, user, clock.now(), settings, period, team, entries=True)
    for entry in money["entries"]:
        entry["given_on"] = datetime.fromisoformat(entry["given_at"])
    return render(
        request,
        "report_compensation.html",
        user.ctx,
        book=money,
        Decimal=Decimal,
        **_filters(session, period, team),
    )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


# --- CSV downloads: the filters, the report's rows, web.csvexport ---------------------

OUTCOMES = ("retained", "won_back", "lost", "parted_ways")
RECOVERY_COLUMNS = (
    "group",
    "name",
    "cases",
    "ack_median_minutes",
    "ack_p90_minutes",
    "ack_within_sla_pct",
    "remedy_within_sla_pct",
    "close_within_sla_pct",
    "handoffs_per_case",
    "one_interaction_pct",
    *(f"outcome_{name}" for name in OUTCOMES),
)
LEDGER_COLUMNS = (
    "given_at",
    "month",
    "case_id",
    "customer_id",
    "customer",
    "kind",
    "amount",
    "currency",
    "recurring_value",
    "recurring_currency",
    "lost_at",
)
Rows = list[list[object]]


def _recovery_rows(
    session: Any,
    user: PageUser,
    now: datetime,
    _settings: Settings,
    period: Period,
    team: int | None,
) -> Rows:
    """One row per owner and per category, then the whole: the report's own numbers."""
    report = service.recovery_report(
        session, actor=user.actor, since=period.since(now), team_id=team
    )

    def row(group: str, name: str, data: dict[str, Any]) -> list[object]:
        return [
            group,
            name,
            data["cases"],
            data["ack_median_minutes"],
            data["ack_p90_minutes"],
            _pct(data["ack_within_sla_pct"]),
            _pct(data["remedy_within_sla_pct"]),
            _pct(data["close_within_sla_pct"]),
            data["handoffs_per_case"],
            _pct(data["one_interaction_pct"]),
            *(data["outcome_counts"].get(name, 0) for name in OUTCOMES),
        ]

    rows = [row("all", "", report)]
    rows += [row("owner", o["owner"] or "", o) for o in report["by_owner"]]
    rows += [row("category", c["category"], c) for c in report["by_category"]]
    return rows


def _ledger_rows(
    session: Any,
    user: PageUser,
    now: datetime,
    settings: Settings,
    period: Period,
    team: int | None,
) -> Rows:
    """Each compensation given, with its customer and whether they stayed."""
    money = _ledger(session, user, now, settings, period, team, entries=True)
    return [[entry[key] for key in LEDGER_COLUMNS] for entry in money["entries"]]


@dataclass(frozen=True)
class Export:
    """One CSV download: the file it saves as, its columns and its rows for the filters."""

    filename: str
    columns: tuple[str, ...]
    rows: Callable[[Any, PageUser, datetime, Settings, Period, int | None], Rows]


EXPORTS = {
    "/reports/recovery.csv": Export("recovery-report.csv", RECOVERY_COLUMNS, _recovery_rows),
    "/reports/compensation.csv": Export("compensation-ledger.csv", LEDGER_COLUMNS, _ledger_rows),
}


def _download(export: Export) -> Callable[..., Response]:
    """The route for one export: a manager's, for the period and team chosen."""

    def download(
        session: DbSession,
        user: SignedIn,
        clock: AppClock,
        settings: AppSettings,
        period: PeriodParam = Period.ALL,
        team: TeamId = None,
    ) -> Response:
        _manager(user)
        rows = export.rows(session, user, clock.now(), settings, period, team)
        return csv_download(export.filename, export.columns, rows)

    return download


for _path, _export in EXPORTS.items():
    # Named as the two routes were: recovery_csv, compensation_csv.
    _name = _path.removeprefix("/reports/").replace(".", "_")
    router.add_api_route(_path, _download(_export), methods=["GET"], name=_name)
