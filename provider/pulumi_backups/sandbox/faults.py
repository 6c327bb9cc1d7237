"""The layer in front of every emulated API: request counting, fault injection, request
ids, and the API's own 500 for a handler that fails.

For each API request (never `/_sandbox/*`) the middleware, before the request reaches its
handler: counts it under "METHOD /route/template", waits `latency_ms`, then applies the
first targeted fault queued for that route or API (`SandboxContext.add_fault`), else answers
a share `error_rate` of requests 503 and a share `ratelimit_rate` 429. Errors come in the
API's own shape (`EmulatedApi.error`: a Scaleway 429 has an empty body and no Content-Type,
like the real gateway's), except `html404`, the HTML page a proxy or load balancer answers.
The `lost-*` faults let the request through, so the server acts, and then lose its answer: a
500 in the API's shape, or a connection closed after the headers of an answer it never
finishes. Draws come from the context's seeded generator. A handler that raises gets the
API's 500, never a plain-text page. Every response gets the API's request-id header when it
lacks one, and a `Date` on the sandbox clock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from email.utils import formatdate

import anyio
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import lies
from .context import SandboxContext
from .emulated import EmulatedApi
from .registry import api_for

log = logging.getLogger(__name__)

_CONVERTER = re.compile(r"\{(\w+):\w+\}")  # "{server_id:int}" counts as "{server_id}"
PROXY_NOT_FOUND = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
"""What nginx answers for a path it does not proxy: no API ever sends this."""


def api_of(path: str) -> str | None:
    """The name of the emulated API serving a path ("ovh", "scaleway", "vps"), or None."""
    api = api_for(path)
    return None if api is None else api.name


def route_template(routes: Sequence[BaseRoute], scope: Scope, prefix: str = "") -> str | None:
    """The path template of the route that serves `scope` (method mismatches included)."""
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            found = route_template(route.routes, {**scope, **child}, prefix + route.path)
            if found:
                return found
        elif isinstance(route, Route):
            return _CONVERTER.sub(r"{\1}", prefix + route.path)
    return None


class FaultMiddleware:
    """ASGI middleware: counters, latency, injected faults, request ids, the API's own 500."""

    def __init__(self, app: ASGIApp, ctx: SandboxContext, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.ctx = ctx
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = api_for(scope["path"]) if scope["type"] == "http" else None
        if api is None:
            await self.app(scope, receive, send)
            return
        template = route_template(self.routes, scope) or scope["path"]
        self.ctx.count(f"{scope['method']} {template}")
        if self.ctx.settings.latency_ms > 0:
            await anyio.sleep(self.ctx.settings.latency_ms / 1000)
        answer = _Answer(send, api, self.ctx.clock())
        try:
            await self._serve(scope, receive, answer, api, template)
        except Exception:
            if answer.started:  # too late for another answer: let the server drop it
                raise
            log.exception("sandbox %s handler failed: %s %s", api.name, scope["method"], template)
            await answer.error(scope, receive, 500)

    async def _serve(
        self, scope: Scope, receive: Receive, answer: _Answer, api: EmulatedApi, template: str
    ) -> None:
        targeted = self.ctx.take_fault(f"{scope['method']} {template}", api.name)
        if targeted is not None:
            await self._targeted(targeted, scope, receive, answer)
            return
        settings = self.ctx.settings
        fault = self._draw(settings.error_rate, settings.ratelimit_rate)
        if fault is not None:
            await answer.error(scope, receive, fault)
            return
        await self.app(scope, receive, answer.send)

    async def _targeted(self, kind: str, scope: Scope, receive: Receive, answer: _Answer) -> None:
        if lies.is_lie(kind):
            await self._lie(kind, scope, receive, answer)
            return
        if kind == "html404":
            headers = [(b"content-type", b"text/html")]
            headers.append((b"content-length", str(len(PROXY_NOT_FOUND)).encode()))
            await answer.send({"type": "http.response.start", "status": 404, "headers": headers})
            await answer.send({"type": "http.response.body", "body": PROXY_NOT_FOUND})
            return
        if not kind.startswith("lost-"):
            await answer.error(scope, receive, int(kind))
            return

        async def swallow(message: Message) -> None:  # the server acts; its answer is lost
            return None

        await self.app(scope, receive, swallow)
        if kind == "lost-500":
            await answer.error(scope, receive, 500)
            return
        # Promise a body and end without it: the server closes the connection mid-answer.
        headers = [(b"content-type", b"application/json"), (b"content-length", b"64")]
        await answer.send({"type": "http.response.start", "status": 200, "headers": headers})

    async def _lie(self, kind: str, scope: Scope, receive: Receive, answer: _Answer) -> None:
        """Answer as a lying proxy would (``lies``): instead of the handler, or with its
        answer changed."""
        name, _, arg = kind.partition(":")
        if name == "silent":
            await _disconnected(receive, HOLD_SECONDS)
        elif name == "trickle":
            await _trickle(receive, answer, float(arg))
        elif name == "redirect":
            await _send(answer, lies.redirect_to(scope, int(arg)))
        elif name == "date":
            answer.shift_date(float(arg))
            await self.app(scope, receive, answer.send)
        else:
            captured = _Captured()
            await self.app(scope, receive, captured.send)
            api = api_for(scope["path"])
            await _send(answer, lies.rewrite(kind, captured.answer(), api.name if api else ""))

    def _draw(self, error_rate: float, ratelimit_rate: float) -> int | None:
        if error_rate <= 0 and ratelimit_rate <= 0:
            return None
        draw = self.ctx.draw()
        if draw < error_rate:
            return 503
        if draw < error_rate + ratelimit_rate:
            return 429
        return None


HOLD_SECONDS = 3600.0
"""The longest a ``silent`` or ``trickle`` lie holds a connection its client keeps open."""


async def _disconnected(receive: Receive, seconds: float) -> bool:
    """Wait at most ``seconds`` for the client to go away; whether it did."""
    with anyio.move_on_after(seconds):
        while (await receive())["type"] != "http.disconnect":
            pass
        return True
    return False


async def _trickle(receive: Receive, answer: _Answer, every: float) -> None:
    """A 200 that promises a long JSON body and sends one byte of it every ``every`` s."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"1000000")]
    await answer.send({"type": "http.response.start", "status": 200, "headers": headers})
    sent = 0.0
    while sent < HOLD_SECONDS and not await _disconnected(receive, every):
        await answer.send({"type": "http.response.body", "body": b" ", "more_body": True})
        sent += every


async def _send(answer: _Answer, lie: lies.Answer) -> None:
    await answer.send({"type": "http.response.start", "status": lie.status, "headers": lie.headers})
    await answer.send({"type": "http.response.body", "body": lie.body})


class _Captured:
    """The handler's answer, kept whole instead of sent (for a lie to change it)."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    def answer(self) -> lies.Answer:
        return lies.Answer(self.status, self.headers, b"".join(self.chunks))


class _Answer:
    """The response side of one API request: stamps the API's request-id header (when
    missing) and a `Date` on the sandbox clock (clients judge expiries, e.g. download links,
    by the server's date), and remembers whether the answer has started."""

    def __init__(self, send: Send, api: EmulatedApi, now: float) -> None:
        self._send, self._api = send, api
        self._header = api.request_id_header.lower().encode()
        self._now = now
        self._date = formatdate(now, usegmt=True).encode()
        self.started = False

    def shift_date(self, seconds: float) -> None:
        """Stamp a `Date` that many seconds off the sandbox clock (a `date` lie)."""
        self._date = formatdate(self._now + seconds, usegmt=True).encode()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
            headers.append((b"date", self._date))
            if not any(key.lower() == self._header for key, _ in headers):
                headers.append((self._header, self._api.new_request_id().encode()))
            message = {**message, "headers": headers}
        await self._send(message)

    async def error(self, scope: Scope, receive: Receive, status: int) -> None:
        """Answer `status` in the API's own error shape."""
        await self._api.error(status, scope["method"])(scope, receive, self.send)
