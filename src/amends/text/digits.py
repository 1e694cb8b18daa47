"""Numbers written as text, read only when they are plain ASCII digits."""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """True for a run of ASCII digits ("42"). ``str.isdigit`` alone also accepts "³" and
    "①", which ``int`` then refuses with an error nobody expected."""
    return text.isascii() and text.isdigit()
