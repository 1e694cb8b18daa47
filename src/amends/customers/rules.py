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
