"""Runs django-helpdesk's own `get_email` command over a local mailbox folder, in its venv.

Started by bench/intake.py with the helpdesk venv's Python (never amends'): it must
import nothing of amends. It runs `get_email` as a cron job would, again and again.
When a run leaves a file behind that stops the queue (the run processed nothing more),
it does what an operator must do: takes that file out of the folder by hand, records
it, and runs again. It prints one JSON object: runs, seconds spent inside `get_email`,
and every file that stopped the queue, with the error logged for it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path


class _Last(logging.Handler):
    """Remembers which message number a run was at, and the last error it logged."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.index = 0
        self.error = ""

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith("Processing message "):
            self.index = int(text.rsplit(" ", 1)[1])
        elif record.levelno >= logging.ERROR:
            detail = ""
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                detail = f": {type(exc).__name__}: {exc}"[:300]
            self.error = text + detail


def main() -> None:
    mailbox, removed = Path(sys.argv[1]), Path(sys.argv[2])
    removed.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from helpdesk.models import Queue

    queue = Queue.objects.get()
    handler = _Last()
    logger = logging.getLogger(f"django.helpdesk.queue.{queue.slug}")
    logger.addHandler(handler)
    stopped: list[dict[str, object]] = []
    runs, seconds = 0, 0.0
    while True:
        listing = [f for f in os.listdir(mailbox) if (mailbox / f).is_file()]
        if not listing:
            break
        handler.index, handler.error = 0, ""
        # get_email skips a queue checked less than email_box_interval minutes ago.
        Queue.objects.filter(pk=queue.pk).update(email_box_last_check=None)
        started = time.perf_counter()
        call_command("get_email", quiet=True)
        seconds += time.perf_counter() - started
        runs += 1
        left = [f for f in os.listdir(mailbox) if (mailbox / f).is_file()]
        if not left:
            break
        if handler.error and 0 < handler.index <= len(listing):
            culprit = listing[handler.index - 1]
            stopped.append(
                {
                    "file": culprit,
                    "error": handler.error,
                    "left_unprocessed_by_that_run": len(left) - 1,
                }
            )
            shutil.move(str(mailbox / culprit), str(removed / culprit))
            continue
        # Files left without an error were ignored by it on purpose (or not processed):
        # running again would only repeat that, so they are reported and the loop ends.
        break
    print(
        json.dumps(
            {
                "runs": runs,
                "seconds_in_get_email": round(seconds, 3),
                "stopped_queue": stopped,
                "left_in_folder": sorted(f for f in os.listdir(mailbox) if (mailbox / f).is_file()),
            }
        )
    )


if __name__ == "__main__":
    main()
