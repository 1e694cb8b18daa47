"""Customer vocabularies."""

from __future__ import annotations

from enum import StrEnum


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    AT_RISK = "at_risk"
    LOST = "lost"
    WON_BACK = "won_back"
    PARTED_WAYS = "parted_ways"


class Tier(StrEnum):
    STANDARD = "standard"
    GOLD = "gold"
    PLATINUM = "platinum"


# Mailbox providers whose addresses belong to private people, not to one organisation:
# matching a sender "by domain" on these would file every stranger with a gmail.com
# address under whichever customer first wrote from one. Global providers, plus the
# common ones in Thailand, Slovakia, Czechia and Greece.
SHARED_MAIL_DOMAINS = frozenset(
    {
        "aol.com", "gmail.com", "googlemail.com", "gmx.com", "gmx.de", "gmx.net",
        "hotmail.co.th", "hotmail.co.uk", "hotmail.com", "hotmail.gr", "icloud.com",
        "live.com", "mac.com", "mail.com", "me.com", "msn.com", "outlook.com", "proton.me",
        "protonmail.com", "yahoo.co.th", "yahoo.co.uk", "yahoo.com", "yahoo.gr",
        "yandex.com", "zoho.com",
        "azet.sk", "atlas.sk", "centrum.sk", "post.sk", "pobox.sk", "zoznam.sk",
        "atlas.cz", "centrum.cz", "email.cz", "post.cz", "seznam.cz", "volny.cz",
        "hol.gr", "otenet.gr", "windowslive.com", "in.gr", "freemail.gr",
    }
)  # fmt: skip


def matches_by_domain(address: str) -> str | None:
    """The ``@domain`` a sender may be matched to a customer by, or None when the address
    has no domain or the domain is a shared mailbox provider."""
    if "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().lower()
    if not domain or domain in SHARED_MAIL_DOMAINS:
        return None
    return "@" + domain
