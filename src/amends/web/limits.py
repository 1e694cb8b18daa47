"""Request bodies are bounded before anything reads them.

An ASGI middleware picks the cap for the route's kind (JSON API, webhook, page form,
multipart upload), refuses a declared Content-Length over it at once and counts a
chunked body as it streams, so no parser, temporary file or handler ever holds more
than the cap. A multipart upload must also show its CSRF token outside the body (query
``csrf_token`` or header ``X-CSRF-Token``): otherwise a forged cross-site form could
make the server spool megabytes to disk before the token in the body was looked at.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amends.errors import AmendsError, PayloadTooLarge
from amends.text.digits import is_digits
from amends.web.session import CSRF_COOKIE, check_csrf
from amends.web.vocabulary import N_

WEBHOOK_PATHS = frozenset({"/api/v1/webhooks/deliveries"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MIB = 1024 * 1024

Refuse = Callable[[Scope, AmendsError], Awaitable[Response]]


@dataclass(frozen=True)
class BodyCaps:
    """The most bytes a request body may have, by kind of route."""

    api: int
    form: int
    upload: int
    webhook: int

    def kind_of(self, path: str, content_type: str) -> str:
        if path in WEBHOOK_PATHS:
            return "webhook"
        if path.startswith("/api/"):
            return "api"
        if content_type.lower().startswith("multipart/form-data"):
            return "upload"
        return "form"

    def cap(self, kind: str) -> int:
        caps: dict[str, int] = {
            "api": self.api,
            "form": self.form,
            "upload": self.upload,
            "webhook": self.webhook,
        }
        return caps[kind]


def too_large(cap: int) -> PayloadTooLarge:
    megabytes = f"{cap / MIB:.2f}".rstrip("0").rstrip(".")
    error = PayloadTooLarge.saying(
        N_("What was sent is too large: at most %(megabytes)s MB is accepted here."),
        megabytes=megabytes,
    )
    assert isinstance(error, PayloadTooLarge)
    return error


def check_upload_token(headers: Headers, query: QueryParams) -> None:
    """The cookie's token repeated in the query or a header (never the body, unread yet)."""
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except CookieError:
        cookie.clear()  # a mangled Cookie header is simply no token
    expected = cookie[CSRF_COOKIE].value if CSRF_COOKIE in cookie else ""
    check_csrf(expected, headers.get(CSRF_HEADER) or query.get(CSRF_FIELD) or "")


class BodyLimit:
    """Caps request bodies while they stream; see the module docstring."""

    def __init__(self, app: ASGIApp, *, caps: BodyCaps, refuse: Refuse) -> None:
        self.app, self.caps, self.refuse = app, caps, refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        kind = self.caps.kind_of(scope["path"], headers.get("content-type", ""))
        cap = self.caps.cap(kind)
        declared = headers.get("content-length", "")
        if is_digits(declared) and int(declared) > cap:
            await self._answer(scope, receive, send, too_large(cap))
            return
        if kind == "upload":
            try:
                check_upload_token(headers, QueryParams(scope.get("query_string", b"")))
            except AmendsError as exc:
                await self._answer(scope, receive, send, exc)
                return
        await self._counted(scope, receive, send, cap)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        seen = 0
        over = started = False

        async def counting_receive() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    # The reader sees the client gone: parsers stop, the handler never
                    # runs on a cut body, and whatever it answers is replaced below.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over and not started:
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not over or started:
                raise
        if over and not started:
            await self._answer(scope, receive, send, too_large(cap))

    async def _answer(self, scope: Scope, receive: Receive, send: Send, exc: AmendsError) -> None:
        response = await self.refuse(scope, exc)
        # The rest of the body is never read: the connection cannot carry another request.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
