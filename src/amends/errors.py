"""Domain errors with stable codes.

Every error a user can meet carries a ``code`` that never changes once released, so
scripts can branch on it; the message is for people and may be reworded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, don't translate"
    """Mark a refusal for the catalogs (the extractor reads every ``N_``), said later."""
    return message


def said(message: str, *, fmt: dict[str, str] | None = None, **args: Any) -> dict[str, Any]:
    """A sentence to say later in the reader's language: its English msgid (marked with
    ``N_``) and the JSON values of its ``%(name)s`` fields; ``fmt`` names how a field is
    shown (``web.i18n.FORMATS``). Stored in events, notifications, refusals and reasons,
    and said by ``web.i18n.say``; here, below every domain, so pure rules can make one.
    """
    stored: dict[str, Any] = {"msg": message, "args": args}
    if fmt:
        stored["fmt"] = dict(fmt)
    return stored


def english_value(value: Any, how: str, currency: str = "") -> Any:
    """A stored value as the API and CLI say it, where no reader's locale applies: an
    amount with its ISO code ("200 EUR"), a share as a percentage ("125%"); anything else
    as it is. Pages say the same values by locale (``web.i18n.say``)."""
    try:
        if how == "money":
            return f"{Decimal(str(value))} {currency}"
        if how == "percent":
            return f"{Decimal(str(value)):.0%}"
    except (ArithmeticError, ValueError):
        return value
    return value


class AmendsError(Exception):
    """Base of every domain error; ``status`` is the HTTP status the API answers with."""

    code = "error"
    status = 400
    title = "Request could not be completed"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra

    @classmethod
    def saying(
        cls,
        message: str,
        *,
        code: str | None = None,
        fmt: dict[str, str] | None = None,
        **args: Any,
    ) -> AmendsError:
        """A refusal whose sentence a page says in the reader's language.

        ``message`` is an English msgid marked with ``N_`` and ``%(name)s`` fields; the
        API and CLI get it in English, a page through ``extra["said"]`` (see
        ``web.i18n.say``; ``fmt`` as there, "trs" for a list of vocabulary values).
        """
        english = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in args.items()}
        stored = said(message, fmt=fmt, **args)
        # The raw values stay in ``extra`` too, for callers that word the refusal themselves.
        return cls(message % english if args else message, code=code, said=stored, **args)


class PlaybookError(ValueError):
    """The playbook file is invalid; the message says where and why."""


class ConfigError(AmendsError):
    code = "config-invalid"
    title = "Configuration is invalid"


class InvalidInput(AmendsError):
    code = "invalid-input"
    status = 422
    title = "Input is invalid"


class NotFound(AmendsError):
    code = "not-found"
    status = 404
    title = "Not found"


class Conflict(AmendsError):
    code = "conflict"
    status = 409
    title = "Conflict with the current state"


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title = "This step is not allowed now"


class NotAuthenticated(AmendsError):
    code = "not-authenticated"
    status = 401
    title = "Sign-in required"


class Forbidden(AmendsError):
    code = "forbidden"
    status = 403
    title = "Not allowed"


class TooManyAttempts(AmendsError):
    """Too many failed attempts recently; ``extra["retry_after"]`` says how many seconds."""

    code = "too-many-attempts"
    status = 429
    title = "Too many attempts"


class Quarantined(AmendsError):
    """Input that was stored but cannot be interpreted; the reason says why."""

    code = "quarantined"
    status = 422
    title = "Input quarantined"


class Busy(AmendsError):
    """The database stayed locked by another writer for longer than a request waits."""

    code = "database-busy"
    status = 503
    title = "Busy, try again shortly"


class PayloadTooLarge(AmendsError):
    """A request body over the cap for its kind of route; refused before it is read."""

    code = "payload-too-large"
    status = 413
    title = "Request body too large"
