"""Server-rendered pages: one Jinja2 environment with autoescaping and gettext."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from amends.web import i18n

PACKAGE = Path(__file__).parent.parent
TEMPLATE_DIRS = [PACKAGE / "web" / "templates"] + [
    PACKAGE / domain / "templates"
    for domain in ("cases", "commitments", "people", "intake", "patterns", "recovery")
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


def build_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS]),
        # Every customer string is untrusted; autoescape is on for all templates.
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


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
