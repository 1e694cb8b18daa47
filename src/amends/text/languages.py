"""The languages amends works in: one list for settings, detection, decoding, the coach
and the interface.

Czech is read (detected, decoded, stored) but answered in Slovak: the coach's lexicons
and the interface's catalogs exist for Slovak, which Czech readers understand far
better than English.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "th", "sk", "cs", "el")
ANSWERED_IN: dict[str, str] = {"cs": "sk"}
# The languages with their own coach lexicons, templates and interface catalogs.
SPOKEN: tuple[str, ...] = tuple(code for code in LANGUAGES if code not in ANSWERED_IN)


def spoken(tag: str) -> str | None:
    """The spoken language to answer a BCP 47 tag in (Czech in Slovak), or None."""
    base = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    base = ANSWERED_IN.get(base, base)
    return base if base in SPOKEN else None
