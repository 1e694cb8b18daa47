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
        raw = with_return_path(bytes(raw), envelope.mail_from)
        peer = session.peer[0] if session and session.peer else "?"
        try:
            # Parsing and the database are blocking work: keep them off the SMTP loop.
            result = await asyncio.to_thread(
                ingest, self.ctx, raw, source="smtp", source_ref=f"smtp:{peer}"
            )
        except Exception:
            log.exception("could not store a message from %s", peer)
            return "451 4.3.0 Could not store the message; please try again later"
        self.received += 1
        log.info("message from %s: %s", peer, result.status)
        return "250 2.0.0 Message accepted"


def with_return_path(raw: bytes, mail_from: str | None) -> bytes:
    """The message as delivered: the envelope sender on top as Return-Path (RFC 5321
    4.4, the delivering server's job). An empty one (``MAIL FROM:<>``) marks a bounce
    or an automatic notice, which must never be answered; without this line intake
    could not tell, as the sender's own Return-Path is not the envelope's."""
    sender = (mail_from or "").strip()
    if sender == "<>":
        sender = ""
    sender = "".join(ch for ch in sender if ch.isprintable() and ch not in "<>")
    return f"Return-Path: <{sender}>\r\n".encode("utf-8", "surrogateescape") + raw


def controller(ctx: IntakeContext, *, host: str, port: int) -> Controller:
    return Controller(
        IntakeHandler(ctx),
        hostname=host,
        port=port,
        data_size_limit=MAX_MESSAGE_BYTES,
        decode_data=False,
    )
