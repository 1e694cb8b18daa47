"""Hold points for crash rehearsals: a process stops at a named point to be killed there.

A test that must kill a worker "mid-sweep" or "mid-send" cannot time a signal: the
work takes milliseconds. Instead the process is told (``AMENDS_REHEARSAL_HOLD``) to stop
at a named point, announces it with a marker file in ``AMENDS_REHEARSAL_DIR`` and waits
there; the test sees the marker and sends SIGKILL. Both settings are empty by default,
so in production ``hold`` returns at once.
"""

from __future__ import annotations

import logging
import os
import threading

from amends.config import Settings

log = logging.getLogger(__name__)

# The ledger sweep has recorded breaches (and opened their cases) but not committed.
SWEEP_BEFORE_COMMIT = "ledger-sweep.before-commit"
# SMTP accepted a mail; the outbox row still says "sending".
SEND_BEFORE_RECORD = "outbox.sent-before-record"


def armed(settings: Settings, point: str) -> bool:
    """True when this process is to stop at ``point`` (never outside a rehearsal)."""
    return point in settings.rehearsal_hold and settings.rehearsal_dir is not None


def hold(settings: Settings, point: str) -> None:
    """Wait here forever when ``point`` is a configured hold point that no process has
    stopped at yet in this rehearsal; return otherwise."""
    if not armed(settings, point) or settings.rehearsal_dir is None:
        return
    settings.rehearsal_dir.mkdir(parents=True, exist_ok=True)
    # One process stops at each point: the first to get there claims it. Another process
    # armed alike (a colleague retrying the killed one's job) goes on, or the rehearsal
    # would be left with a second process stopped for good. Removing the claim arms the
    # point again.
    try:
        (settings.rehearsal_dir / f"claimed-{point}").open("x").close()
    except FileExistsError:
        return
    marker = settings.rehearsal_dir / f"{point}.{os.getpid()}"
    marker.write_text(str(os.getpid()))
    log.warning("rehearsal: holding at %s (pid %s) until killed", point, os.getpid())
    threading.Event().wait()
