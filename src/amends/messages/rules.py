"""Message vocabularies."""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class Channel(StrEnum):
    EMAIL = "email"
    WEB = "web"
    API = "api"
    PHONE = "phone"
    CHAT = "chat"
