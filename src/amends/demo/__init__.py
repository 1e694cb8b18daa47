"""The demo workspace: content, loader, and how a demo is recognised."""

from __future__ import annotations

from pathlib import Path

# The demo's sign-ins live beside its data; their presence is what makes a workspace a
# demo, so the pages can say so without a column in the database.
SIGN_IN_FILE = "demo-signin.txt"


def is_demo(home: Path) -> bool:
    """Whether the workspace in ``home`` was made by ``amends demo``."""
    return (home / SIGN_IN_FILE).is_file()
