"""Shared plumbing for the command line: workspace access, JSON output, exit codes.

Exit codes: 0 ok, 1 the domain refused (not found, conflict, invalid transition),
2 bad usage or input (including bad configuration).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from amends.clock import Clock, clock_for
from amends.config import SECRET_FILE, Settings, configure_logging, load_settings
from amends.db import make_engine, make_session_factory, owner_only, transaction
from amends.errors import AmendsError, ConfigError, InvalidInput, PlaybookError
from amends.fields import MAX_DB_INT, utc_datetime

if TYPE_CHECKING:
    from rich.console import Console

    from amends.playbook.policy import Playbook


class LazyConsole:
    """A rich Console made on first use: commands that only write JSON (scripts calling
    `amends report --json`) never pay for loading rich."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        self.real.print(*objects, **options)


# Argument and option types every command line shares.
ObjectId = Annotated[int, typer.Argument(min=1, max=MAX_DB_INT)]
Json = Annotated[bool, typer.Option("--json", help="JSON Lines / one JSON object")]
AsUser = Annotated[str | None, typer.Option("--as", help="act as this user (email)")]

err = LazyConsole(stderr=True, soft_wrap=True)
out = LazyConsole(highlight=False)


@dataclass
class Workspace:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock

    @property
    def playbook(self) -> Playbook:
        # Loaded on use: most commands never need it, and every command pays for imports.
        from amends.playbook.policy import load as load_playbook

        return load_playbook(self.settings.home, workspace_timezone=self.settings.timezone)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.sessions) as session:
            yield session


def open_workspace(*, migrate: bool = True) -> Workspace:
    """Settings from the environment, an engine, and the schema brought up to date."""
    settings = load_settings()
    configure_logging(settings)
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Customers' mail and files live here: a folder made 0755 by hand (or by an earlier
    # version) is closed to other users too.
    owner_only(settings.home, 0o700)
    for name in ("raw", "attachments", "exports", SECRET_FILE):
        owner_only(settings.home / name, 0o600 if name == SECRET_FILE else 0o700)
    engine = make_engine(settings.database_url)
    if migrate:
        from amends import migrate as migrations

        migrations.upgrade(engine)
    return Workspace(settings, engine, make_session_factory(engine), clock_for(settings.clock_file))


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def emit_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=_default) + "\n")


P = ParamSpec("P")
R = TypeVar("R")


def _plain(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn domain errors into a clear message on stderr and the documented exit code."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        # Messages are escaped: "[severity.low.sla]" names where a mistake is, and customer
        # text may hold brackets too; rich would take either for markup and drop it.
        except PlaybookError as exc:
            err.print(f"[red]error[/red] (playbook-invalid): {_plain(str(exc))}", markup=True)
            raise typer.Exit(2) from None
        except (ConfigError, InvalidInput) as exc:
            err.print(f"[red]error[/red] ({exc.code}): {_plain(exc.message)}", markup=True)
            raise typer.Exit(2) from None
        except AmendsError as exc:
            err.print(f"[red]refused[/red] ({exc.code}): {_plain(exc.message)}", markup=True)
            raise typer.Exit(1) from None

    return wrapper


def parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return utc_datetime(datetime.fromisoformat(value))
    except ValueError as exc:
        raise typer.BadParameter(f"{exc} (ISO 8601 with an offset)", param_hint=name) from None


def local_time(value: datetime | str, timezone: str) -> str:
    """A stored UTC time as the workspace reads it, with its offset so it is never ambiguous."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        # Stored times are UTC; SQLite hands them back without a zone.
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(timezone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], values: dict[str, Any]) -> M:
    """Options checked by the same schema the API uses; a bad one is a usage error (exit 2)
    naming the option."""
    from pydantic import ValidationError

    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}"
            for e in exc.errors()
        )
        raise InvalidInput(problems, code="invalid-option") from None
