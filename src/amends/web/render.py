"""Server-rendered pages: one Jinja2 environment with autoescaping and gettext."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from amends.web import i18n, recurrence

PACKAGE = Path(__file__).parent.parent
TEMPLATE_DIRS = [PACKAGE / "web" / "templates"] + [
    PACKAGE / domain / "templates"
    for domain in (
        "cases",
        "commitments",
        "desk",
        "people",
        "intake",
        "messages",
        "patterns",
        "recovery",
        "surveys",
        "winback",
        "reports",
    )
]


@dataclass
class PageContext:
    """What every page knows: who is looking, in which language and timezone."""

    language: str
    timezone: str
    user_name: str | None = None
    csrf_token: str = ""
    user_email: str | None = None
    demo: bool = False  # a demo workspace: every page says so, and as whom you are in
    unread: int = 0  # the user's unread notifications, for the bell in the header
    manages: bool = False  # an owner or manager: the header links people and the outbox


def build_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS]),
        # Every customer string is untrusted; autoescape is on for all templates.
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the package: no need to look at each file's time on every
        # page (a server restart picks up a changed one).
        auto_reload=False,
    )
    env.filters.update(
        when=_when,
        day=_day,
        duration=_duration,
        money=_money,
        number=_number,
        percent=_percent,
        language_name=_language_name,
    )
    env.globals.update(
        said=_said, event_note=_event_note, refusal=_refusal, LANGUAGES=LANGUAGE_NAMES
    )
    return env


# Each language by its own name, for the switcher: a reader finds theirs without reading
# the current one.
LANGUAGE_NAMES = {"en": "English", "th": "ไทย", "sk": "Slovenčina", "el": "Ελληνικά"}


def _ui(context: Context) -> PageContext:
    ui: PageContext = context["ui"]
    return ui


@pass_context
def _when(context: Context, value: Any) -> str:
    ui = _ui(context)
    return i18n.when(value, ui.language, ui.timezone)


@pass_context
def _day(context: Context, value: Any) -> str:
    ui = _ui(context)
    return i18n.day(value, ui.language, ui.timezone)


@pass_context
def _duration(context: Context, value: Any) -> str:
    """``{{ minutes|duration }}`` or a timedelta: "2 hr 15 min" in the reader's language."""
    return i18n.duration(value, _ui(context).language)


@pass_context
def _money(context: Context, amount: Any, currency: str) -> str:
    return i18n.money(amount, currency, _ui(context).language)


@pass_context
def _language_name(context: Context, code: str) -> str:
    return i18n.language_name(str(code), _ui(context).language)


@pass_context
def _number(context: Context, value: Any) -> str:
    return i18n.number(value, _ui(context).language)


@pass_context
def _percent(context: Context, value: Any) -> str:
    """``{{ 87.5|percent }}``: a share given in percent ("87.5 %", "87,5 %"); None is a dash."""
    return i18n.percent(value, _ui(context).language)


@pass_context
def _said(context: Context, stored: Any, fallback: str = "") -> str:
    """A sentence stored as a message id and parameters, in the reader's language."""
    text = i18n.say(stored, context["gettext"], _ui(context)) if isinstance(stored, dict) else None
    return text if text is not None else fallback


@pass_context
def _refusal(context: Context, error: Any) -> str:
    """``{{ refusal(error) }}``: why a domain error refused, in the reader's language."""
    return i18n.refusal(error, context["gettext"], _ui(context))


@pass_context
def _event_note(context: Context, event: Any) -> str:
    """A timeline event's detail: the engine's sentence in the reader's language when it
    stored one (its note is then the same sentence in English), else the note as written."""
    data = getattr(event, "data", None) or {}
    note = getattr(event, "note", "") or ""
    text = i18n.say(data, context["gettext"], _ui(context)) if isinstance(data, dict) else None
    return str(note) if text is None else text


_ENV = build_environment()


def add_globals(**values: Any) -> None:
    """Helpers every template may call (e.g. ``case_ref``), given by the application: this
    package sits below the domains that define them."""
    _ENV.globals.update(values)


def render(
    request: Request, template: str, ctx: PageContext, status_code: int = 200, **values: Any
) -> HTMLResponse:
    translations = i18n.translations(ctx.language)
    values.update(
        ui=ctx,
        request=request,
        _=translations.gettext,
        gettext=translations.gettext,
        ngettext=translations.ngettext,
        when=lambda dt: i18n.when(dt, ctx.language, ctx.timezone),
        money=lambda amount, currency: i18n.money(amount, currency, ctx.language),
        duration=lambda value: i18n.duration(value, ctx.language),
        schedule=lambda rule: recurrence.in_words(rule, ctx.language) or rule,
    )
    html = _ENV.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code, headers=_SECURITY_HEADERS)


_SECURITY_HEADERS = {
    # No inline scripts or third-party origins: pages work without JavaScript anyway.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
