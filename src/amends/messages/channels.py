"""The mail channels in effect: what the server sends through (SMTP) and reads from (IMAP).

A manager's saved settings (table ``mail_channels``, one row per channel) win over the
server's environment (AMENDS_SMTP_* / AMENDS_IMAP_*), which stays the default while
nothing is saved. Sending, polling and both connection checks ask ``effective`` on every
run, so a change reaches the next run of every process without a restart.

Passwords are write-only: saved encrypted (``sealing``), never returned by ``view``,
never written to the audit log; a blank password keeps the one in effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from amends.audit import service as audit
from amends.config import Settings
from amends.errors import N_, InvalidInput
from amends.messages import sealing
from amends.messages.models import MailChannel
from amends.people import service as people
from amends.people.rules import Action, Actor
from amends.text.digits import is_digits

Kind = Literal["smtp", "imap"]
KINDS: tuple[Kind, ...] = ("smtp", "imap")
MAX_HOST, MAX_USER, MAX_PASSWORD, MAX_FOLDER = 253, 320, 500, 200
# A host name, an IPv4 address or a bracket-free IPv6 one; nothing a URL or a shell
# would read differently.
_HOST = re.compile(r"[A-Za-z0-9._:-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


@dataclass(frozen=True)
class ChannelView:
    """One channel as pages, the API and the CLI show it: never its password."""

    kind: Kind
    host: str
    port: int
    user: str
    password_set: bool
    tls: bool  # STARTTLS for SMTP, a TLS connection for IMAP
    folder: str  # IMAP only
    timeout: float  # SMTP only, seconds
    stored: bool  # saved in amends (else the environment's)
    updated_at: datetime | None


@dataclass(frozen=True)
class ChannelChange:
    """What a manager submitted; numbers as typed, checked by ``save``."""

    host: str
    port: str | int
    user: str = ""
    tls: bool = False
    password: str = ""  # blank keeps the password in effect
    clear_password: bool = False
    folder: str = "INBOX"
    timeout: str | float = 30.0

    def __repr__(self) -> str:
        # A change may be logged or shown in a traceback: never with its password.
        return f"ChannelChange(host={self.host!r}, port={self.port!r}, user={self.user!r})"


def _environment(settings: Settings, kind: Kind) -> dict[str, Any]:
    if kind == "smtp":
        return {
            "host": settings.smtp_host,
            "port": settings.smtp_port,
            "user": settings.smtp_user,
            "password": settings.smtp_password.get_secret_value(),
            "tls": settings.smtp_starttls,
            "folder": "",
            "timeout": settings.smtp_timeout,
        }
    return {
        "host": settings.imap_host,
        "port": settings.imap_port,
        "user": settings.imap_user,
        "password": settings.imap_password.get_secret_value(),
        "tls": settings.imap_ssl,
        "folder": settings.imap_folder,
        "timeout": settings.smtp_timeout,
    }


def _row(session: Session, kind: Kind) -> MailChannel | None:
    return session.get(MailChannel, kind)


def _password(settings: Settings, row: MailChannel | None, fallback: str) -> str:
    # None: nothing saved, the environment's; "": saved as none; else sealed.
    if row is None or row.password_sealed is None:
        return fallback
    if row.password_sealed == "":
        return ""
    return sealing.unseal(settings.secret(), row.password_sealed)


def effective(session: Session, settings: Settings) -> Settings:
    """``settings`` with the saved mail channels in place of the environment's: what
    sending and polling use now. Raises ConfigError when a saved password cannot be
    decrypted with this server's secret."""
    rows = {row.kind: row for row in session.scalars(select(MailChannel))}
    update: dict[str, Any] = {}
    smtp, imap = rows.get("smtp"), rows.get("imap")
    if smtp is not None:
        update |= {
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_user": smtp.user,
            "smtp_starttls": smtp.tls,
            "smtp_timeout": smtp.timeout,
        }
        if smtp.password_sealed is not None:
            update["smtp_password"] = SecretStr(_password(settings, smtp, ""))
    if imap is not None:
        update |= {
            "imap_host": imap.host,
            "imap_port": imap.port,
            "imap_user": imap.user,
            "imap_ssl": imap.tls,
            "imap_folder": imap.folder,
        }
        if imap.password_sealed is not None:
            update["imap_password"] = SecretStr(_password(settings, imap, ""))
    return settings.model_copy(update=update) if update else settings


def view(session: Session, settings: Settings, kind: Kind) -> ChannelView:
    """The channel in effect, without its password (only whether one is set)."""
    env = _environment(settings, kind)
    row = _row(session, kind)
    if row is None:
        return ChannelView(
            kind,
            env["host"],
            env["port"],
            env["user"],
            bool(env["password"]),
            env["tls"],
            env["folder"],
            env["timeout"],
            stored=False,
            updated_at=None,
        )
    sealed = row.password_sealed
    return ChannelView(
        kind,
        row.host,
        row.port,
        row.user,
        bool(env["password"]) if sealed is None else sealed != "",
        row.tls,
        row.folder,
        row.timeout if kind == "smtp" else env["timeout"],
        stored=True,
        updated_at=row.updated_at,
    )


def save(
    session: Session,
    settings: Settings,
    *,
    actor: Actor,
    kind: Kind,
    change: ChannelChange,
    now: datetime,
) -> ChannelView:
    """Save the settings of one channel (owners and managers), audited without the
    password; they apply from the next send or poll of every process."""
    people.require(actor, Action.MANAGE)
    clean = checked(kind, change)
    before = view(session, settings, kind)
    row = _row(session, kind)
    if row is None:
        row = MailChannel(kind=kind, password_sealed=None)
        session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    row.updated_at = now
    # What became of the password, for the audit log: never the password itself.
    what_became = "kept"
    if change.password:
        row.password_sealed = sealing.seal(settings.secret(), change.password)
        what_became = "changed"
    elif change.clear_password:
        row.password_sealed, what_became = "", "removed"
    session.flush()
    after = view(session, settings, kind)
    shown = ("host", "port", "user", "tls") + (("folder",) if kind == "imap" else ("timeout",))
    changed = [name for name in shown if getattr(before, name) != getattr(after, name)]
    audit.record(
        session,
        actor_id=actor.user_id,
        action="mail.channel-set",
        subject=f"mail:{kind}",
        detail={
            **{name: str(getattr(after, name)) for name in shown},
            "changed": ", ".join(changed),
            "password": what_became,
        },
        now=now,
    )
    return after


def _refuse(message: str, field: str) -> InvalidInput:
    error = InvalidInput.saying(message, code=f"mail-{field}")
    assert isinstance(error, InvalidInput)
    return error


def checked(kind: Kind, change: ChannelChange) -> dict[str, Any]:
    """The submitted values, tidied, or InvalidInput saying the first problem."""
    host, user, folder = change.host.strip(), change.user.strip(), change.folder.strip()
    if any(_CONTROL.search(v) for v in (host, user, folder, change.password)):
        raise _refuse(
            N_("Line breaks and other control characters are not allowed in mail settings."),
            "control",
        )
    if len(host) > MAX_HOST:
        raise _refuse(N_("The host name is too long."), "host")
    if host and not _HOST.fullmatch(host):
        raise _refuse(
            N_("A host name holds only letters, digits, dots, hyphens and colons."), "host"
        )
    if len(user) > MAX_USER:
        raise _refuse(N_("The user name is too long."), "user")
    if not (user.isascii() and change.password.isascii()):
        # smtplib and imaplib send the sign-in as ASCII: anything else would fail every send.
        raise _refuse(
            N_("A mail server's user name and password can hold only ASCII characters."),
            "ascii",
        )
    if len(change.password) > MAX_PASSWORD:
        raise _refuse(N_("The password is too long."), "password")
    if user and not host:
        raise _refuse(N_("A user name needs a server: give the host too."), "host")
    if kind == "smtp" and not host:
        raise _refuse(N_("Sending needs a server: give its host name."), "host")
    if kind == "imap" and host and not user:
        raise _refuse(N_("Reading a mailbox needs the user to sign in as."), "user")
    if kind == "imap" and not folder:
        raise _refuse(N_("Name the folder to read; INBOX is the usual one."), "folder")
    if not folder.isascii():
        # IMAP names folders in ASCII (modified UTF-7 for others): as the server lists it.
        raise _refuse(
            N_("Write the folder's name as the mail server lists it, in ASCII characters."),
            "folder",
        )
    if len(folder) > MAX_FOLDER:
        raise _refuse(N_("The folder name is too long."), "folder")
    return {
        "host": host,
        "port": _port(change.port),
        "user": user,
        "tls": bool(change.tls),
        "folder": folder if kind == "imap" else "",
        "timeout": _timeout(change.timeout) if kind == "smtp" else 30.0,
    }


def _port(value: str | int) -> int:
    text = str(value).strip()
    if not is_digits(text) or not 1 <= int(text) <= 65535:
        raise _refuse(N_("The port is a whole number from 1 to 65535."), "port")
    return int(text)


def _timeout(value: str | float) -> float:
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = 0.0
    if not 1 <= seconds <= 600:  # also refuses NaN
        raise _refuse(N_("The timeout is a number of seconds from 1 to 600."), "timeout")
    return seconds
