"""Win-back sequences and watch periods (pure): statuses, their one transition function,
the follow-up schedule and the signed "no more contact" link.

Principle 8 of the playbook: a lost customer may refuse at first; ask for a small chance
and keep checking personally until they say it is no longer needed. After a recovery,
the next promises are watched, because a second failure now is a pattern.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum

from amends.errors import N_, InvalidTransition
from amends.text.digits import is_digits


class WinbackStatus(StrEnum):
    ACTIVE = "active"  # follow-ups still to come
    STOPPED = "stopped"  # no more follow-ups; the outcome is not decided yet
    WON_BACK = "won_back"
    NOT_WON_BACK = "not_won_back"


class StopReason(StrEnum):
    REPLIED = "replied"  # the customer wrote: a person answers now, not a sequence
    NO_CONTACT = "no_contact"  # the customer asked for no more contact
    PARTED_WAYS = "parted_ways"
    BY_OWNER = "by_owner"
    FINISHED = "finished"  # every follow-up sent, and silence after the last


class WinbackOutcome(StrEnum):
    WON_BACK = "won_back"
    NOT_WON_BACK = "not_won_back"


class StepStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # the sequence stopped before it was due


class WatchStatus(StrEnum):
    WATCHING = "watching"
    KEPT = "kept"  # every watched delivery came through
    MISSED = "missed"


_MOVES: dict[WinbackStatus, frozenset[WinbackStatus]] = {
    WinbackStatus.ACTIVE: frozenset(
        {WinbackStatus.STOPPED, WinbackStatus.WON_BACK, WinbackStatus.NOT_WON_BACK}
    ),
    WinbackStatus.STOPPED: frozenset({WinbackStatus.WON_BACK, WinbackStatus.NOT_WON_BACK}),
    WinbackStatus.WON_BACK: frozenset(),
    WinbackStatus.NOT_WON_BACK: frozenset(),
}


def transition(status: WinbackStatus, to: WinbackStatus) -> WinbackStatus:
    """``to`` if a sequence in ``status`` may move there, else InvalidTransition.

    A stopped sequence never starts again (the customer said stop, or wrote back and is
    now in a person's hands); an outcome, once recorded, is final.
    """
    if to not in _MOVES[status]:
        raise InvalidTransition.saying(
            N_("the win-back is %(status)s; it cannot become %(to)s"),
            status=status.value,
            to=to.value,
            fmt={"status": "tr", "to": "tr"},
        )
    return to


def is_running(status: WinbackStatus) -> bool:
    return status is WinbackStatus.ACTIVE


def schedule(lost_at: datetime, days: tuple[int, ...]) -> list[datetime]:
    """When each follow-up falls due, counted from the moment the customer was lost."""
    return [lost_at + timedelta(days=day) for day in days]


# -- the "no more contact" link ------------------------------------------------------------

_PURPOSE = b"amends winback no-contact v1"


def _mac(secret: str, winback_id: int) -> str:
    digest = hmac.new(
        secret.encode(), _PURPOSE + b":" + str(winback_id).encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def sign(secret: str, winback_id: int) -> str:
    """The token in a follow-up's "no more contact" link: the sequence's id and its MAC.

    It never expires: a customer who asks to be left alone a year later is still right.
    """
    return f"{winback_id}.{_mac(secret, winback_id)}"


def verify(secret: str, token: str) -> int | None:
    """The sequence a token names, or None for anything not signed by this workspace."""
    head, _, mac = token.partition(".")
    if not is_digits(head) or len(head) > 18 or not mac:
        return None
    winback_id = int(head)
    if not hmac.compare_digest(mac.encode(), _mac(secret, winback_id).encode()):
        return None
    return winback_id
