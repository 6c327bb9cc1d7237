"""Fault injection and request counting, in front of every emulated API.

For each API request (never `/_sandbox/*`) the middleware, before the request reaches its
handler: counts it under "METHOD /route/template", waits `latency_ms`, then applies the
first targeted fault queued for that route or API (`SandboxContext.add_fault`), else answers
a share `error_rate` of requests 503 and a share `ratelimit_rate` 429. Errors come in the
API's own shape (a Scaleway 429 has an empty body and no Content-Type, like the real
gateway's), except `html404`, the HTML page a proxy or load balancer answers. The `lost-*`
faults let the request through, so the server acts, and then lose its answer: a 500 in the
API's shape, or a connection closed after the headers of an answer it never finishes. Draws
come from the context's seeded generator. The middleware also stamps the API's request-id
header on every response that lacks one (`X-OVH-QUERYID` for OVHcloud, `X-Request-Id`
otherwise).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from email.utils import formatdate
from typing import Any

import anyio
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .context import SandboxContext

_CONVERTER = re.compile(r"\{(\w+):\w+\}")  # "{server_id:int}" counts as "{server_id}"
_PREFIXES = {"/1.0": "ovh", "/v1": "ovh", "/rdb/v1": "scaleway", "/api/v1": "vps"}

_UNAVAILABLE: dict[str, dict[str, Any]] = {
    "ovh": {"class": "Server::ServiceUnavailable", "message": "Service temporarily unavailable"},
    "scaleway": {"message": "service is unavailable", "type": "service_unavailable"},
    "vps": {"detail": "Service temporarily unavailable, try again later."},
}
_THROTTLED: dict[str, dict[str, Any] | None] = {
    "ovh": {"message": "Too many requests"},
    "scaleway": None,
    "vps": {"detail": "Request was throttled."},
}
_INTERNAL: dict[str, dict[str, Any]] = {
    "ovh": {"class": "Server::InternalServerError", "message": "Internal server error"},
    "scaleway": {"message": "internal error", "type": "internal_error"},
    "vps": {"detail": "A server error occurred."},
}
_FORBIDDEN: dict[str, dict[str, Any]] = {
    "ovh": {
        "errorCode": "NOT_GRANTED_CALL",
        "httpCode": "403 Forbidden",
        "message": "This call has not been granted",
    },
    "scaleway": {"message": "insufficient permissions", "type": "permissions_denied"},
    "vps": {"detail": "You do not have permission to perform this action."},
}
_BODIES: Mapping[int, Mapping[str, Mapping[str, Any] | None]] = {
    500: _INTERNAL,
    503: _UNAVAILABLE,
    429: _THROTTLED,
    403: _FORBIDDEN,
}
PROXY_NOT_FOUND = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
"""What nginx answers for a path it does not proxy: no API ever sends this."""


def api_of(path: str) -> str | None:
    """Which emulated API serves a path ("ovh", "scaleway", "vps"), or None."""
    for prefix, api in _PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return api
    return None


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
    """ASGI middleware: counters, latency, injected 503/429, request-id headers."""

    def __init__(self, app: ASGIApp, ctx: SandboxContext, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.ctx = ctx
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = api_of(scope["path"]) if scope["type"] == "http" else None
        if api is None:
            await self.app(scope, receive, send)
            return
        template = route_template(self.routes, scope) or scope["path"]
        self.ctx.count(f"{scope['method']} {template}")
        settings = self.ctx.settings
        if settings.latency_ms > 0:
            await anyio.sleep(settings.latency_ms / 1000)
        stamped = _stamp(send, api, self.ctx.clock())
        targeted = self.ctx.take_fault(f"{scope['method']} {template}", api)
        if targeted is not None:
            await self._targeted(targeted, scope, receive, stamped, api)
            return
        fault = self._draw(settings.error_rate, settings.ratelimit_rate)
        if fault is not None:
            await _send_fault(stamped, api, fault)
            return
        await self.app(scope, receive, stamped)

    async def _targeted(
        self, kind: str, scope: Scope, receive: Receive, send: Send, api: str
    ) -> None:
        if kind == "html404":
            await _send(send, 404, PROXY_NOT_FOUND, b"text/html")
            return
        if not kind.startswith("lost-"):
            await _send_fault(send, api, int(kind))
            return

        async def swallow(message: Message) -> None:  # the server acts; its answer is lost
            return None

        await self.app(scope, receive, swallow)
        if kind == "lost-500":
            await _send_fault(send, api, 500)
            return
        # Promise a body and end without it: the server closes the connection mid-answer.
        headers = [(b"content-type", b"application/json"), (b"content-length", b"64")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})

    def _draw(self, error_rate: float, ratelimit_rate: float) -> int | None:
        if error_rate <= 0 and ratelimit_rate <= 0:
            return None
        draw = self.ctx.draw()
        if draw < error_rate:
            return 503
        if draw < error_rate + ratelimit_rate:
            return 429
        return None


def _stamp(send: Send, api: str, now: float) -> Send:
    """Wrap `send` so the response carries the API's request-id header and a `Date` header
    on the sandbox clock (clients judge expiries, e.g. download links, by the server's date)."""
    name = b"x-ovh-queryid" if api == "ovh" else b"x-request-id"
    date = formatdate(now, usegmt=True).encode()

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
            headers.append((b"date", date))
            if not any(key.lower() == name for key, _ in headers):
                value = f"EU.sandbox.{uuid.uuid4().hex}" if api == "ovh" else str(uuid.uuid4())
                headers.append((name, value.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


async def _send_fault(send: Send, api: str, status: int) -> None:
    body_doc = _BODIES[status][api]
    if body_doc is not None:
        await _send(send, status, json.dumps(body_doc).encode(), b"application/json")
    else:  # the Scaleway gateway's 429: no body, no Content-Type
        await _send(send, status, b"", None, [(b"x-envoy-ratelimited", b"true")])


async def _send(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes | None,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = list(extra or [])
    if content_type is not None:
        headers.append((b"content-type", content_type))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
