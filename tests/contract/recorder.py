"""Recording every exchange a sandbox serves, on the server side.

`RecordingSandbox` serves the real sandbox application (`build_app`) behind an ASGI
middleware that keeps each API request (method, path, query, JSON body) with its answer
(status, JSON body), so the provider under test runs unchanged in its own process. Admin
routes (`/_sandbox/*`) are not recorded. `answer_patch` lets a test alter the sandbox's JSON
answers on their way out, to prove that the contract checks catch a wrong one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulumi_backups.sandbox import Sandbox, SandboxSettings
from pulumi_backups.sandbox.app import build_app
from pulumi_backups.sandbox.context import SandboxContext
from pulumi_backups.sandbox.faults import api_of
from pulumi_backups.sandbox.handle import bind
from pulumi_backups.sandbox.server import ThreadedServer

AnswerPatch = Callable[[str, str, Any], Any]
"""`patch(method, path, body) -> body`: changes a JSON answer before it is sent."""


@dataclass(frozen=True)
class Exchange:
    api: str
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    answer: Any


def _json(raw: bytes) -> Any:
    return json.loads(raw) if raw else None


class Recorder:
    """ASGI middleware keeping every API exchange in `exchanges`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []
        self.answer_patch: AnswerPatch | None = None
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = api_of(scope["path"]) if scope["type"] == "http" else None
        if api is None:
            await self.app(scope, receive, send)
            return
        request = bytearray()

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request.extend(message.get("body", b""))
            return message

        start: dict[str, Any] = {}
        answer = bytearray()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)  # held until the body is known (it may be patched)
                return
            answer.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            await self._finish(scope, api, bytes(request), start, bytes(answer), send)

        await self.app(scope, receiving, sending)

    async def _finish(
        self,
        scope: Scope,
        api: str,
        request: bytes,
        start: dict[str, Any],
        answer: bytes,
        send: Send,
    ) -> None:
        method, path = scope["method"], scope["path"]
        content_type = dict(start.get("headers", [])).get(b"content-type", b"")
        is_json = content_type.startswith(b"application/json")
        body = _json(answer) if is_json else answer.decode(errors="replace")
        if is_json and self.answer_patch is not None and 200 <= start["status"] < 300:
            body = self.answer_patch(method, path, body)
            answer = json.dumps(body).encode()
        query = dict(parse_qsl(scope["query_string"].decode(), keep_blank_values=True))
        with self._lock:
            self.exchanges.append(
                Exchange(api, method, path, query, _json(request), start["status"], body)
            )
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(answer)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    def take(self) -> list[Exchange]:
        """The exchanges recorded so far, and a fresh record."""
        with self._lock:
            taken, self.exchanges = self.exchanges, []
        return taken


class RecordingSandbox:
    """The sandbox app served on a loopback port behind a `Recorder`; `handle` drives it."""

    def __init__(self) -> None:
        self.context = SandboxContext(SandboxSettings(task_seconds=0))
        self.recorder = Recorder(build_app(self.context))
        sock = bind()
        self._server = ThreadedServer(self.recorder, sock)
        self._server.start()
        self.handle = Sandbox.attach(f"http://127.0.0.1:{sock.getsockname()[1]}")

    def stop(self) -> None:
        self._server.stop()
        self.context.store.close()
