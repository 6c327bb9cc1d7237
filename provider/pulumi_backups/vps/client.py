"""VPS panel API client (httpx, Bearer token): one choke point that sends, retries and maps errors.

:meth:`VpsClient.call` is the only place that talks HTTP: it sends the token, retries
transient failures (429, 502/503/504, lost connections; a POST only when the server cannot
have acted on it), and maps every error answer by status into
:mod:`pulumi_backups.core.errors`, with the call, the panel's own message (DRF ``detail`` or
field errors) and ``X-Request-Id``. The typed methods above it speak in models and never
expose status codes, except where the docs give one a meaning (404 on delete = already gone).
A 404 counts as the panel's only in Django REST framework's JSON shape (``{"detail": ...}``);
an HTML page from a proxy or a wrong base path is a plain ApiError naming ``vps:apiUrl``.

Clients are cached per resolved settings at module level (never on providers, which are
pickled into the state), so one deployment shares connections. The transport and the clock
are injectable; tests serve their client to the providers with ``clients.substitute``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..core.clients import ClientCache
from ..core.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    error_for_status,
    with_note,
)
from ..core.http_client import HttpApi, HttpClient, decoded
from ..core.retry import DEFAULT_RETRY, RetryPolicy
from ..core.waiting import SYSTEM_CLOCK, Clock
from .models import Backup, CreateBackupRequest, RestoreAnswer, RestoreRequest, Server
from .settings import CREDENTIALS_HINT, ENDPOINT_HINT, VpsSettings, resolve_vps

BACKUPS = "/api/v1/backups/"
TIMEOUT = httpx.Timeout(120.0, connect=10.0)
MAX_PAGES = 1000
_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})
"""Failures before the request went out: sending it again cannot repeat an action."""


def _message(response: httpx.Response) -> tuple[str, str | None]:
    """The panel's own words and error code: DRF ``{"detail": ...}``, field errors or a list."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = body.get("code")
        for key in ("detail", "message", "error"):
            if body.get(key):
                return str(body[key]), str(code) if code else None
        fields = [
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in body.items()
            if key != "code"
        ]
        if fields:
            return "; ".join(fields), str(code) if code else None
    if isinstance(body, list) and body:
        return " ".join(map(str, body)), None
    text = response.text.strip()
    if text and len(text) <= 200 and "<" not in text:
        return text, None
    return response.reason_phrase or "no message", None


def _drf_shaped(response: httpx.Response) -> bool:
    """Whether the answer is the panel's own JSON error: an object with a ``detail``."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "detail" in body


def _error(call: str, response: httpx.Response) -> ApiError:
    message, code = _message(response)
    request_id = response.headers.get("X-Request-Id")
    status = response.status_code
    if status == 404 and not _drf_shaped(response):
        return ApiError(call, status, f"{message} ({ENDPOINT_HINT})", request_id=request_id)
    if status in (401, 403):
        return AuthError(
            call, status, f"{message} ({CREDENTIALS_HINT})", request_id=request_id, code=code
        )
    return error_for_status(call, status, message, request_id=request_id, code=code)


API = HttpApi(_error, ENDPOINT_HINT, _IDEMPOTENT, TIMEOUT)


class VpsClient:
    """A typed VPS panel client; thread-safe (httpx pools connections under locks)."""

    def __init__(
        self,
        settings: VpsSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.retry = retry
        self.clock = clock
        self._listings: dict[int, tuple[float, dict[int, Backup]]] = {}
        self._listing_locks: dict[int, threading.Lock] = {}
        self._listings_guard = threading.Lock()
        self._origin = urlsplit(settings.api_url)[:2]
        headers = {"Authorization": f"Bearer {settings.api_token}", "Accept": "application/json"}
        self._http = HttpClient(API, settings.api_url, headers, retry, clock, transport)

    # -- the choke point ----------------------------------------------------------------------

    def call(
        self, method: str, url: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> Any:
        """Send one call (retried when transient); return the decoded JSON answer or None.

        ``url`` is a path under the API URL, or an absolute URL on the same origin (a
        pagination link). Raises the :class:`ApiError` subclass matching the answer.
        """
        call = f"{method} {urlsplit(url).path}"
        return decoded(call, self._http.send(method, url, call, params=params, json=body))

    # -- backups ------------------------------------------------------------------------------

    def list_backups(self, server_id: int, backup_type: str | None = None) -> list[Backup]:
        """Every backup of ``server_id`` (following DRF ``next`` links when the panel pages)."""
        return list(self._pages(BACKUPS, {"server_id": server_id, "backup_type": backup_type}))

    def find_backup(self, server_id: int, backup_id: int, *, max_age: float = 0.0) -> Backup | None:
        """The manual backup ``backup_id`` of ``server_id``, or None when it is not listed.

        No detail route is documented: the server's list is the only way to read a backup.
        With ``max_age`` > 0 (refresh), reads of one server share a listing at most that many
        seconds old, taken once while the other threads wait: N reads cost one listing, not N
        listings of growing length. Waits pass 0 and always see the panel's latest word.
        """
        if max_age <= 0:
            listing = self._manual_backups(server_id)
        else:
            listing = self._recent_listing(server_id, max_age)
        found = listing.get(backup_id)
        return found if found is not None and found.server.id == server_id else None

    def _manual_backups(self, server_id: int) -> dict[int, Backup]:
        query = {"server_id": server_id, "backup_type": "manual"}
        return {backup.id: backup for backup in self._pages(BACKUPS, query)}

    def _recent_listing(self, server_id: int, max_age: float) -> dict[int, Backup]:
        with self._listings_guard:
            lock = self._listing_locks.setdefault(server_id, threading.Lock())
        with lock:
            taken = self._listings.get(server_id)
            if taken is None or self.clock.now() - taken[0] > max_age:
                taken = (self.clock.now(), self._manual_backups(server_id))
                self._listings[server_id] = taken
            return taken[1]

    def create_backup(self, request: CreateBackupRequest) -> Backup:
        """Start a manual backup; the answer (201) is the backup in ``in_progress``."""
        try:
            answer = self.call("POST", BACKUPS, body=request.to_api())
        except NotFoundError as err:
            note = f"server {request.server_id} does not exist or this token cannot see it"
            raise with_note(err, note) from err
        return Backup.from_api(answer)

    def delete_backup(self, backup_id: int) -> bool:
        """Delete a backup for good; False when it was already gone (404)."""
        try:
            self.call("DELETE", _backup_path(backup_id))
        except NotFoundError:
            return False
        return True

    @staticmethod
    def delete_backup_call(backup_id: int) -> str:
        """The call that deletes ``backup_id``, as messages tell a user to make it by hand."""
        return f"DELETE {_backup_path(backup_id)}"

    # -- servers ------------------------------------------------------------------------------

    def restore_server(self, request: RestoreRequest) -> RestoreAnswer:
        """Ask for a server to be restored from a backup (202 while it restores)."""
        path = f"{_server_path(request.server_id)}restore/"
        answer = self.call("POST", path, body=request.to_api())
        return RestoreAnswer.from_api(answer if isinstance(answer, dict) else {})

    def get_server(self, server_id: int) -> Server | None:
        """The server's current state, or None when the panel offers no server route.

        The backup docs do not document ``GET /api/v1/servers/{id}/``; callers use it only
        right after acting on the server, so a 404 or 405 there means the route is missing.
        """
        try:
            answer = self.call("GET", _server_path(server_id))
        except NotFoundError:
            return None
        except ApiError as err:
            if err.status in (405, 501):
                return None
            raise
        return Server.from_api(answer)

    # -- helpers ------------------------------------------------------------------------------

    def _pages(self, url: str, params: dict[str, Any] | None) -> Iterator[Backup]:
        seen: set[str] = set()
        next_url: str | None = url
        while next_url is not None:
            if next_url in seen or len(seen) >= MAX_PAGES:
                raise ApiError(f"GET {urlsplit(url).path}", 200, "pagination does not end")
            seen.add(next_url)
            page = self.call("GET", next_url, params=params)
            params = None  # a `next` link carries the whole query
            items = page.get("results", []) if isinstance(page, dict) else page or []
            yield from (Backup.from_api(item) for item in items)
            next_url = self._next(url, page)

    def _next(self, url: str, page: Any) -> str | None:
        link = page.get("next") if isinstance(page, dict) else None
        if not link:
            return None
        parts = urlsplit(str(link))
        if parts.scheme and parts[:2] != self._origin:
            # Never send the token to another host, whatever a page says.
            raise ApiError(f"GET {urlsplit(url).path}", 200, f"refusing pagination link {link}")
        return str(link)

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def __enter__(self) -> VpsClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _backup_path(backup_id: int) -> str:
    return f"{BACKUPS}{backup_id}/"


def _server_path(server_id: int) -> str:
    return f"/api/v1/servers/{server_id}/"


clients: ClientCache[VpsSettings, VpsClient] = ClientCache(VpsClient)


def vps_client() -> VpsClient:
    """The shared client for the currently configured VPS panel (config resolved per call)."""
    return clients.get(resolve_vps())
