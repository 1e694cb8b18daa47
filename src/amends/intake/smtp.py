"""Receiving mail over SMTP (aiosmtpd): each message is stored before we answer 250.

Answering only after the raw bytes are committed means a sender never believes mail
was delivered that amends could lose; if storing fails, the sender gets a temporary
error (451) and retries later, as SMTP intends.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller

from amends.intake.pipeline import IntakeContext, ingest

log = logging.getLogger("amends.intake.smtp")
MAX_MESSAGE_BYTES = 50 * 1024 * 1024


class IntakeHandler:
    def __init__(self, ctx: IntakeContext) -> None:
        self.ctx = ctx
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        peer = session.peer[0] if session and session.peer else "?"
        try:
            # Parsing and the database are blocking work: keep them off the SMTP loop.
            result = await asyncio.to_thread(
                ingest, self.ctx, bytes(raw), source="smtp", source_ref=f"smtp:{peer}"
            )
        except Exception:
            log.exception("could not store a message from %s", peer)
            return "451 4.3.0 Could not store the message; please try again later"
        self.received += 1
        log.info("message from %s: %s", peer, result.status)
        return "250 2.0.0 Message accepted"


def controller(ctx: IntakeContext, *, host: str, port: int) -> Controller:
    return Controller(
        IntakeHandler(ctx),
        hostname=host,
        port=port,
        data_size_limit=MAX_MESSAGE_BYTES,
        decode_data=False,
    )
