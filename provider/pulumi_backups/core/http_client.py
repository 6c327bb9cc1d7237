"""The choke point shared by the APIs spoken over httpx (Scaleway, the VPS panel): one pooled
``httpx.Client`` per API client, each request retried when transient (``core.retry``), a
lost connection or an error answer turned into ``core.errors``; and what every client (the
OVHcloud one included) does with a request and its answer: its time (:func:`sending`), its
body read within it (:func:`bounded`), its JSON (:func:`decoded`), a 3xx refused
(:func:`redirected`).

Every request is bounded by its operation's deadline (``core.waiting.current``): it may take
what is left of it (once past, :data:`core.waiting.GRACE`), and no more: its socket timeouts
are at most that, so is each socket read and write of our own transport
(:class:`DeadlineBackend`), and the body is read in chunks with the time checked between them.
No server (silent, trickling, huge) holds a request past it. No redirect is ever followed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

import httpcore
import httpx

from .answers import malformed
from .errors import ApiError, TransportError, cut, deadline_passed, lost_connection
from .retry import RetryPolicy, call_with_retry
from .waiting import Clock, Deadline, current

USER_AGENT = "pulumi-backups"
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""httpx failures that prove the request never left: safe to send again, whatever it was."""
# Connections for as many operations at once as the provider plugin runs (httpx: 100).
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
ERROR_BODY_LIMIT = 64 * 1024
"""Bytes of an error answer's body read at most: its message is cut to 500 characters
anyway, and a 20 MB error page must cost neither the time nor the memory to read it."""


class Answer(Protocol):
    """What :func:`decoded` needs of an answer (httpx's and requests' responses have it)."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    def json(self) -> Any: ...


def decoded(
    call: str,
    answer: Answer,
    hint: str = "",
    *,
    required: bool = False,
    request_id: str | None = None,
) -> Any:
    """The JSON of a successful answer; None for an empty one (a 204), unless the caller
    expects a body (``required``). An answer that is not JSON (truncated, an HTML page),
    nested too deeply, or missing when required is an ApiError "malformed answer: ..."
    (``hint`` says which setting to check)."""
    status = answer.status_code
    if status == 204 or not answer.content:
        if required:
            raise malformed(call, status, "no body", request_id)
        return None
    try:
        return answer.json()
    except (ValueError, RecursionError) as err:
        reason = "nested too deeply" if isinstance(err, RecursionError) else "not JSON"
        raise malformed(call, status, f"{reason} ({hint})" if hint else reason, request_id) from err


def redirected(call: str, status: int, location: str | None, hint: str) -> ApiError:
    """The error for a 3xx answer: never followed (credentials, and a POST's body, would go
    wherever it points), it names where it pointed and the endpoint setting to check."""
    where = cut(location, 200) if location else "nowhere (no Location header)"
    return ApiError(call, status, f"redirected to {where}: not followed ({hint})")


# -- the time of one request ------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """The time one request of ``call`` may take: until ``end`` on ``deadline``'s clock."""

    call: str
    deadline: Deadline
    end: float

    def left(self) -> float:
        return self.end - self.deadline.clock.now()

    def expired(self, *, sent: bool) -> TransportError:
        """The error for the request cut short (naming the deadline and its setting)."""
        limit = self.deadline.limit().policy
        return deadline_passed(self.call, limit.timeout, limit.setting, sent=sent)


_REQUEST: ContextVar[Budget | None] = ContextVar("request_budget", default=None)


@contextmanager
def sending(call: str, clock: Clock) -> Iterator[Budget | None]:
    """The block that sends one request of ``call`` and reads its answer, within the
    operation's deadline (None: no operation open, no bound). With no time left, a
    TransportError: the request is not sent."""
    deadline = current()
    if deadline is None:
        yield None
        return
    seconds = deadline.request_seconds(clock)  # the operation runs on its client's clock
    budget = Budget(call, deadline, deadline.clock.now() + seconds)
    if seconds <= 0:
        raise budget.expired(sent=False)
    token = _REQUEST.set(budget)
    try:
        yield budget
    finally:
        _REQUEST.reset(token)


def within_budget(seconds: float | None) -> float | None:
    """``seconds`` (a socket timeout; None: none), at most what the running request has left."""
    budget = _REQUEST.get()
    if budget is None:
        return seconds
    left = max(budget.left(), 0.001)  # none left: the very next wait times out
    return left if seconds is None else min(seconds, left)


def bounded(chunks: Iterable[bytes], *, limit: int | None, budget: Budget | None) -> bytes:
    """The body ``chunks`` make, read to its end, or to ``limit`` bytes (an error's body);
    past the request's time, a TransportError (the request was sent)."""
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if limit is not None and len(body) >= limit:
            return bytes(body[:limit])
        if budget is not None and budget.left() <= 0:
            raise budget.expired(sent=True)
    return bytes(body)


def timed_out(budget: Budget | None, *, clamped: bool, sent: bool) -> TransportError | None:
    """The error for an HTTP library's timeout when it is the deadline's (it set the
    timeout, ``clamped``, or the request's time is up), else None."""
    if budget is None or not (clamped or budget.left() <= 0):
        return None
    return budget.expired(sent=sent)


def request_timeout(default: httpx.Timeout, budget: Budget | None) -> httpx.Timeout:
    """``default``, each part at most what the request has left."""
    if budget is None:
        return default
    return httpx.Timeout(
        connect=within_budget(default.connect),
        read=within_budget(default.read),
        write=within_budget(default.write),
        pool=within_budget(default.pool),
    )


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write waits at most what the running request
    has left: a server trickling headers or body cannot outlast it."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, within_budget(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, within_budget(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, within_budget(timeout))
        return DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, its connections made and used within the request's time."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        seconds = within_budget(timeout)
        stream = self._backend.connect_tcp(host, port, seconds, local_address, socket_options)
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def deadline_transport() -> httpx.HTTPTransport:
    """httpx's own transport (pooled, ``LIMITS``), its socket I/O bounded by the deadline."""
    transport = httpx.HTTPTransport(limits=LIMITS)
    pool = transport._pool
    pool._network_backend = DeadlineBackend(pool._network_backend)
    return transport


# -- the httpx client -------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpApi:
    """How one API is spoken: ``error`` maps an error answer (4xx and up) to an
    :class:`ApiError` in the API's own terms, ``hint`` names its endpoint setting,
    ``idempotent`` the methods safe to send again."""

    error: Callable[[str, httpx.Response], ApiError]
    hint: str
    idempotent: frozenset[str]
    timeout: httpx.Timeout


_READ_AGAIN = frozenset({"content-encoding", "content-length", "transfer-encoding"})
"""Headers about the wire form of a body, which no longer apply once it is read."""


def _as_read(streamed: httpx.Response, body: bytes) -> httpx.Response:
    headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _READ_AGAIN]
    return httpx.Response(
        streamed.status_code, headers=headers, content=body, request=streamed.request
    )


class HttpClient:
    """Requests to one base URL of ``api``, with ``headers`` (credentials) on each."""

    def __init__(
        self,
        api: HttpApi,
        base_url: str,
        headers: Mapping[str, str],
        retry: RetryPolicy,
        clock: Clock,
        transport: httpx.BaseTransport | None,
    ) -> None:
        self.retry = retry
        self.clock = clock
        self._api = api
        self._http = httpx.Client(
            base_url=base_url,
            headers={"User-Agent": USER_AGENT, **headers},
            timeout=api.timeout,
            transport=transport or deadline_transport(),
        )

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    @property
    def headers(self) -> httpx.Headers:
        """What every request carries (credentials included)."""
        return self._http.headers

    def send(
        self,
        method: str,
        url: str,
        call: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Send one request (retried when transient; ``call`` names it in errors) within the
        operation's deadline; return the successful answer, its body read. A 3xx is an error
        (:func:`redirected`), never followed."""
        query = {k: v for k, v in (params or {}).items() if v is not None}

        def attempt() -> httpx.Response:
            with sending(call, self.clock) as budget:
                answer = self._exchange(method, url, call, query or None, json, budget)
            if 300 <= answer.status_code < 400:
                location = answer.headers.get("Location")
                raise redirected(call, answer.status_code, location, self._api.hint)
            if answer.status_code >= 400:
                raise self._api.error(call, answer)
            return answer

        idempotent = method in self._api.idempotent
        return call_with_retry(
            attempt, idempotent=idempotent, policy=self.retry, sleep=self.clock.sleep
        )

    def _exchange(
        self,
        method: str,
        url: str,
        call: str,
        params: Mapping[str, Any] | None,
        json: Any,
        budget: Budget | None,
    ) -> httpx.Response:
        """One request and its answer, read whole (an error's body: its first
        :data:`ERROR_BODY_LIMIT` bytes), within ``budget``."""
        timeout = request_timeout(self._api.timeout, budget)
        try:
            with self._http.stream(method, url, params=params, json=json, timeout=timeout) as got:
                limit = None if got.status_code < 300 else ERROR_BODY_LIMIT
                return _as_read(got, bounded(got.iter_bytes(), limit=limit, budget=budget))
        except httpx.TransportError as err:
            sent = not isinstance(err, NEVER_SENT)
            clamped = timeout != self._api.timeout
            late = timed_out(budget, clamped=clamped, sent=sent)
            if late is not None and isinstance(err, httpx.TimeoutException):
                raise late from err
            raise lost_connection(
                call, err, sent=sent, where=self.base_url, hint=self._api.hint
            ) from err

    def close(self) -> None:
        self._http.close()
