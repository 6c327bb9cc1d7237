"""A transport to the sandbox that keeps every exchange: the API clients of the unit tests
speak real HTTP to the sandbox through it, and a test may answer a request first with what
the sandbox cannot give (``answer``)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

Answer = Callable[[httpx.Request], httpx.Response | None]


class SandboxRelay(httpx.BaseTransport):
    """Relays each request to the sandbox (unless ``answer`` answers it) and records the
    exchange: the request as it leaves, its answer once there is one (None when the
    connection failed). Clients closing it leave it open: :meth:`stop` closes its
    connections."""

    def __init__(self) -> None:
        self.answer: Answer | None = None
        self.exchanges: list[tuple[httpx.Request, httpx.Response | None]] = []
        self._http = httpx.HTTPTransport()
        self._lock = threading.Lock()

    def relay(self, request: httpx.Request) -> httpx.Response:
        """The sandbox's own answer to ``request``, read whole (not recorded)."""
        sent = self._http.handle_request(request)
        try:
            content = sent.read()
        finally:
            sent.close()
        return httpx.Response(sent.status_code, headers=sent.headers, content=content)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:  # clients may send from several threads
            self.exchanges.append((request, None))
            at = len(self.exchanges) - 1
        response = self.answer(request) if self.answer is not None else None
        response = response if response is not None else self.relay(request)
        self.exchanges[at] = (request, response)
        return response

    @property
    def requests(self) -> list[httpx.Request]:
        return [request for request, _ in self.exchanges]

    @property
    def responses(self) -> list[httpx.Response]:
        return [response for _, response in self.exchanges if response is not None]

    def calls(self, method: str | None = None) -> list[str]:
        """``METHOD /path`` of the recorded requests (of one method), in order."""
        return [f"{r.method} {r.url.path}" for r in self.requests if method in (None, r.method)]

    def stop(self) -> None:
        self._http.close()
