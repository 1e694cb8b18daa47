"""Settings: one typed object built from AMENDS_* environment variables.

Bad values stop the program at start with a message naming the variable, rather than
failing later in the middle of a request.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from amends.errors import ConfigError
from amends.text.languages import LANGUAGES

SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class Settings(BaseSettings):
    """Everything configurable about one amends installation."""

    model_config = SettingsConfigDict(env_prefix="AMENDS_", extra="ignore", frozen=True)

    home: Path = Field(default=Path(".amends"), description="Workspace folder")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in home")
    # Signs the links amends mails out (survey links, a win-back's "no more contact");
    # sessions and tokens are random ids stored hashed, and the webhook has its own secret.
    secret_key: SecretStr | None = Field(default=None, description="Signs links sent to customers")
    languages: Annotated[tuple[str, ...], NoDecode] = LANGUAGES
    timezone: str = "UTC"
    currency: str = "EUR"
    workspace_name: str = "amends"
    base_url: str = "http://127.0.0.1:8000"
    # Commands print their own results; logs are for trouble unless asked for.
    log_level: str = "WARNING"
    # Whom a command acts as when it is given no --as: an active user's email. Without
    # it, commands that change a case refuse to act with nobody named.
    operator: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    smtp_timeout: float = Field(default=30.0, gt=0, le=600)
    mail_from: str = "amends@localhost"
    # A mail loop (an auto-responder answering our replies) must never turn into a
    # flood of one inbox: beyond this many replies an hour to one address, mail waits.
    reply_cap_per_hour: int = Field(default=10, ge=1, le=10_000)
    # What an hour of the team's time costs, in the workspace's currency: a customer's cost
    # to serve counts their handling time at this rate (0: the time is shown, not costed).
    handling_cost_per_hour: Decimal = Field(default=Decimal("0"), ge=0, le=1_000_000)
    webhook_secret: SecretStr = SecretStr("")
    # Request bodies, in bytes, by kind of route (see web.limits): refused past these
    # before anything is parsed or written. An upload holds the complaint form's three
    # 10 MB files; the webhook carries one small delivery.
    max_api_body: int = Field(default=2 * 1024 * 1024, ge=1024, le=1024**3)
    max_form_body: int = Field(default=2 * 1024 * 1024, ge=1024, le=1024**3)
    max_upload_body: int = Field(default=32 * 1024 * 1024, ge=1024, le=1024**3)
    max_webhook_body: int = Field(default=64 * 1024, ge=1024, le=1024**3)
    imap_host: str = ""
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_folder: str = "INBOX"
    imap_ssl: bool = True
    # Days after closing when a case's personal content (messages, files, notes) is
    # erased by the retention job; 0 keeps it for ever.
    retention_days: int = Field(default=0, ge=0, le=36_500)
    # Days a satisfaction survey's link can be answered after it is sent.
    survey_valid_days: int = Field(default=14, ge=1, le=365)
    # How often a process running jobs looks for due ones (real seconds).
    worker_poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    # For tests and rehearsals only, never set in production: every process reads the
    # time from this file (see clock.FileClock), so a test can move time for all of them.
    clock_file: Path | None = None
    # For tests and rehearsals only: named points (rehearsal.hold) where this process
    # stops and waits to be killed, leaving a marker file in ``rehearsal_dir``.
    rehearsal_hold: Annotated[tuple[str, ...], NoDecode] = ()
    rehearsal_dir: Path | None = None

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    @field_validator("rehearsal_hold", mode="before")
    @classmethod
    def _split_points(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one language is needed")
        unknown = [code for code in value if code not in LANGUAGES]
        if unknown:
            raise ValueError(
                f"unsupported language(s) {', '.join(unknown)}; choose from {', '.join(LANGUAGES)}"
            )
        return tuple(dict.fromkeys(value))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r} (e.g. Europe/Bratislava)") from exc
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in list_currencies():
            raise ValueError(f"unknown ISO 4217 currency {value!r} (e.g. EUR, THB)")
        return code

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; plain postgresql:// would pick psycopg2.
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            object.__setattr__(
                self, "database_url", f"sqlite:///{(self.home / 'amends.db').resolve()}"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret(self) -> str:
        """The secret key; generated once into the workspace (mode 0600) when not configured."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.home / SECRET_FILE
        if path.exists():
            return path.read_text().strip()
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Create with restrictive mode from the start so the key is never world-readable.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        return key


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "AMENDS_" + "_".join(str(p) for p in error["loc"]).upper()
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("invalid configuration — " + "; ".join(problems)) from None


def configure_logging(settings: Settings) -> None:
    """Send log records at ``settings.log_level`` and above to stderr, one line each."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # basicConfig leaves the level alone when a handler is already installed (a
    # process that configured logging itself); the setting must still decide it.
    logging.getLogger().setLevel(settings.log_level)
    # Alembic reports every plugin it loads at INFO; that is noise on every command.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
