"""What every page form does with what it was sent: check its CSRF token, try the action
in a savepoint, so a refusal keeps nothing of it and the page can say why, then answer
with the page's refusal or its redirect (POST-redirect-GET); and read a form's choices
and amounts as the engine's values, a bad one being a refusal on the page rather than a
JSON validation error."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from amends.errors import AmendsError, InvalidInput, NotFound
from amends.web.session import check_csrf

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def attempt(session: Session, action: Callable[[], Any]) -> AmendsError | None:
    """Run ``action`` in a savepoint: refused, nothing of it is kept and the page says why;
    the request's transaction still commits whatever else it holds (nothing, here)."""
    try:
        with session.begin_nested():
            action()
    except NotFound:
        raise
    except AmendsError as exc:
        return exc
    return None


def form_action(
    session: Session,
    expected_csrf: str,
    submitted_csrf: str,
    action: Callable[[], T],
    *,
    refused: Callable[[AmendsError], Response],
    done: Callable[[T], Response],
) -> Response:
    """A form's whole answer: its token checked, ``action`` attempted, then ``refused``
    with the refusal or ``done`` with what the action returned."""
    check_csrf(expected_csrf, submitted_csrf)
    outcome: list[T] = []
    error = attempt(session, lambda: outcome.append(action()))
    return refused(error) if error is not None else done(outcome[0])


def choice(kind: Callable[[str], T], value: str) -> T:
    """A form's choice read as the engine's value; a value the page never offered is a
    refusal on the page, not a JSON validation error."""
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a choice here", code="invalid-input") from None


def amount(value: str) -> Decimal:
    try:
        read = Decimal(value.strip().replace(",", ".") or "0")
    except InvalidOperation:
        raise InvalidInput("not a number", code="amount-invalid") from None
    if not read.is_finite() or read < 0 or read > Decimal("1e12"):
        raise InvalidInput("not an amount", code="amount-invalid")
    return read


def validated(model: type[M], values: dict[str, Any]) -> M:
    """A form's fields checked by the same schema the API uses (empty ones left out, so
    the schema's defaults apply); a bad one is a refusal on the page naming the field."""
    try:
        return model.model_validate({k: v for k, v in values.items() if v not in (None, "")})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInput(problems, code="invalid-input") from None
