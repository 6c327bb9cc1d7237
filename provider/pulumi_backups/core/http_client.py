"""The choke point shared by the APIs spoken over httpx (Scaleway, the VPS panel): one pooled
``httpx.Client`` per API client, each request retried when transient (``core.retry``), a
lost connection or an error answer turned into ``core.errors``; and the decoding of a JSON
answer, shared with the OVHcloud client (python-ovh answers with the same shape).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from .errors import ApiError, lost_connection
from .retry import RetryPolicy, call_with_retry
from .waiting import Clock

USER_AGENT = "pulumi-backups"
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""httpx failures that prove the request never left: safe to send again, whatever it was."""
# Connections for as many operations at once as the provider plugin runs (httpx: 100).
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


class Answer(Protocol):
    """What :func:`decoded` needs of an answer (httpx's and requests' responses have it)."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    def json(self) -> Any: ...


def decoded(call: str, answer: Answer, hint: str = "") -> Any:
    """The JSON of a successful answer; None for an empty one (204). An answer that is not
    JSON is an :class:`ApiError` (``hint`` says which setting to check)."""
    if answer.status_code == 204 or not answer.content:
        return None
    try:
        return answer.json()
    except ValueError as err:
        message = f"answer is not JSON ({hint})" if hint else "answer is not JSON"
        raise ApiError(call, answer.status_code, message) from err


@dataclass(frozen=True)
class HttpApi:
    """How one API is spoken: ``error`` maps an error answer (3xx and up) to an
    :class:`ApiError` in the API's own terms, ``hint`` names its endpoint setting,
    ``idempotent`` the methods safe to send again."""

    error: Callable[[str, httpx.Response], ApiError]
    hint: str
    idempotent: frozenset[str]
    timeout: httpx.Timeout


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
            transport=transport,
            limits=LIMITS,
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
        """Send one request (retried when transient; ``call`` names it in errors); return
        the successful answer."""
        query = {k: v for k, v in (params or {}).items() if v is not None}

        def attempt() -> httpx.Response:
            try:
                response = self._http.request(method, url, params=query or None, json=json)
            except httpx.TransportError as err:
                sent = not isinstance(err, NEVER_SENT)
                raise lost_connection(
                    call, err, sent=sent, where=self.base_url, hint=self._api.hint
                ) from err
            if response.status_code >= 300:
                raise self._api.error(call, response)
            return response

        idempotent = method in self._api.idempotent
        return call_with_retry(
            attempt, idempotent=idempotent, policy=self.retry, sleep=self.clock.sleep
        )

    def close(self) -> None:
        self._http.close()
