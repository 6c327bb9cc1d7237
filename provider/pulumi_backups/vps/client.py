"""VPS panel API client (httpx, Bearer token): one choke point that sends, retries and maps errors.

:meth:`VpsClient.call` is the only place that talks HTTP: it sends the token, retries
transient failures (429, 502/503/504, lost connections; a POST only when the server cannot
have acted on it), and maps every error answer by status into
:mod:`pulumi_backups.core.errors`, with the call, the panel's own message (DRF ``detail`` or
field errors) and ``X-Request-Id``. The typed methods above it speak in models and never
expose status codes, except where the docs give one a meaning (404 on delete = already gone).
Every answer is read through :func:`~pulumi_backups.core.answers.parsed` (:meth:`fetch`); a
listing counts only when complete and consistent (:mod:`.listings`, which also shares the
listings of one client); an answer about another backup than the one asked for is an
:class:`AnotherBackupError`.
A 404 counts as the panel's only in Django REST framework's JSON shape (``{"detail": ...}``);
an HTML page from a proxy or a wrong base path is a plain ApiError naming ``vps:apiUrl``.

Clients are cached per resolved settings at module level (never on providers, which are
pickled into the state), so one deployment shares connections. The transport and the clock
are injectable; tests serve their client to the providers with ``clients.substitute``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from ..core.answers import parsed, same_object
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
from .listings import Listings, ShiftedListingError, consistent, read_until_still
from .models import (
    Backup,
    BackupPage,
    CreateBackupRequest,
    RestoreAnswer,
    RestoreRequest,
    Server,
)
from .settings import CREDENTIALS_HINT, ENDPOINT_HINT, VpsSettings, resolve_vps

T = TypeVar("T")
BACKUPS = "/api/v1/backups/"
LIST_CALL = f"GET {BACKUPS}"
CREATE_CALL = f"POST {BACKUPS}"
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
        self._listings = Listings(lambda server_id: self._listing(server_id, "manual"), clock)
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

    def fetch(
        self,
        method: str,
        url: str,
        build: Callable[[Any], T],
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> T:
        """Send one call like :meth:`call` and read its answer with ``build`` (a model's
        ``from_api``): an answer that is no JSON, too deep, empty or refused by the model is
        an ApiError "malformed answer" naming the call."""
        call = f"{method} {urlsplit(url).path}"
        response = self._http.send(method, url, call, params=params, json=body)
        status, request_id = response.status_code, response.headers.get("X-Request-Id")
        data = parsed(call, lambda r: decoded(call, r), response, status=status)
        return parsed(call, build, data, status=status, request_id=request_id)

    # -- backups ------------------------------------------------------------------------------

    def list_backups(self, server_id: int, backup_type: str | None = None) -> list[Backup]:
        """Every backup of ``server_id`` (of ``backup_type``), as one complete, consistent
        listing reads them now (see :mod:`.listings`): what ``get_vps_backups`` answers."""
        return list(self._listing(server_id, backup_type).values())

    def manual_backups(self, server_id: int, *, max_age: float = 0.0) -> Mapping[int, Backup]:
        """The server's manual backups by id, from a listing begun after this call, or at most
        ``max_age`` seconds old (shared with the other calls that can use it)."""
        return self._listings.get(server_id, max_age=max_age).backups

    def find_backup(self, server_id: int, backup_id: int, *, max_age: float = 0.0) -> Backup | None:
        """The manual backup ``backup_id`` of ``server_id``; None only on proof that the server
        does not list it: two consistent listings, the second begun after the first.

        No detail route is documented: the server's list is the only way to read a backup.
        With ``max_age`` > 0 (refresh, delete), calls for one server share a listing at most
        that many seconds old, taken once while the other threads wait: N reads cost one
        listing, not N listings of growing length. Waits pass 0: the panel's latest word."""
        return self._listings.find(server_id, backup_id, max_age=max_age)

    def create_backup(self, request: CreateBackupRequest) -> Backup:
        """Start a manual backup; the answer (201) is the backup in ``in_progress``, checked
        to be of the server and description asked for (an ApiError naming both if not)."""
        try:
            backup = self.fetch("POST", BACKUPS, Backup.from_api, body=request.to_api())
        except NotFoundError as err:
            note = f"server {request.server_id} does not exist or this token cannot see it"
            raise with_note(err, note) from err
        what = f"the backup asked of server {request.server_id}"
        same_backup(CREATE_CALL, what, request.identity(), backup.identity())
        return backup

    def delete_backup(self, backup_id: int) -> bool:
        """Delete a backup for good; False when it was already gone (the panel's own 404)."""
        try:
            self.call("DELETE", _backup_path(backup_id))
        except NotFoundError:
            return False
        finally:
            self._listings.forget(backup_id)
        return True

    @staticmethod
    def delete_backup_call(backup_id: int) -> str:
        """The call that deletes ``backup_id``, as messages tell a user to make it by hand."""
        return f"DELETE {_backup_path(backup_id)}"

    @staticmethod
    def manual_backups_call(server_id: int) -> str:
        """The call that lists a server's manual backups, as messages tell a user to make it."""
        return f"GET {BACKUPS}?server_id={server_id}&backup_type=manual"

    # -- servers ------------------------------------------------------------------------------

    def restore_server(self, request: RestoreRequest) -> RestoreAnswer:
        """Ask for a server to be restored from a backup (202 while it restores); an answer
        that names another server or backup is an ApiError naming both."""
        path = f"{_server_path(request.server_id)}restore/"
        answer = self.fetch("POST", path, RestoreAnswer.from_api, body=request.to_api())
        asked = {"server_id": request.server_id, "backup_id": request.backup_id}
        answered = {"server_id": answer.server_id, "backup_id": answer.backup_id}
        said = {key: value for key, value in answered.items() if value is not None}
        what = f"the restore asked of server {request.server_id}"
        same_backup(f"POST {path}", what, {key: asked[key] for key in said}, said)
        return answer

    def get_server(self, server_id: int) -> Server | None:
        """The server's current state, or None when the panel offers no server route.

        The backup docs do not document ``GET /api/v1/servers/{id}/``; callers use it only
        right after acting on the server, so a 404 or 405 there means the route is missing.
        """
        path = _server_path(server_id)
        try:
            server = self.fetch("GET", path, Server.from_api)
        except NotFoundError:
            return None
        except ApiError as err:
            if err.status in (405, 501):
                return None
            raise
        same_object(f"GET {path}", f"server {server_id}", {"id": server_id}, {"id": server.id})
        return server

    # -- helpers ------------------------------------------------------------------------------

    def _listing(self, server_id: int, backup_type: str | None) -> dict[int, Backup]:
        """One complete, consistent listing, read again while it shifts (bounded)."""
        query = {"server_id": server_id, "backup_type": backup_type}
        return read_until_still(
            lambda: consistent(LIST_CALL, self._pages(query), server_id, backup_type),
            self.clock,
            self.retry.delay,
        )

    def _pages(self, params: dict[str, Any] | None) -> Iterator[BackupPage]:
        """The pages of a listing, in turn. The panel's 404 for a later page (DRF's "Invalid
        page.") means the listing shrank while it was read."""
        seen: set[str] = set()
        next_url: str | None = BACKUPS
        while next_url is not None:
            if next_url in seen or len(seen) >= MAX_PAGES:
                raise ApiError(LIST_CALL, 200, "pagination does not end")
            try:
                page = self.fetch("GET", next_url, BackupPage.from_api, params=params)
            except NotFoundError as err:
                if not seen:
                    raise
                message = f"page {len(seen) + 1} is gone ({err.message})"
                raise ShiftedListingError(LIST_CALL, err.status, message) from err
            seen.add(next_url)
            params = None  # a `next` link carries the whole query
            yield page
            next_url = self._next(page.next)

    def _next(self, link: str | None) -> str | None:
        if not link:
            return None
        parts = urlsplit(link)
        if parts.scheme and parts[:2] != self._origin:
            # Never send the token to another host, whatever a page says.
            raise ApiError(LIST_CALL, 200, f"refusing pagination link {link}")
        return link

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()


class AnotherBackupError(ApiError):
    """An answer names another backup than the one asked for (another server, description,
    or an id that existed before): nothing is done with the backup it names, never deleted."""


def same_backup(
    call: str, what: str, asked: Mapping[str, object], answered: Mapping[str, object]
) -> None:
    """:func:`~pulumi_backups.core.answers.same_object`, raising :class:`AnotherBackupError`."""
    try:
        same_object(call, what, asked, answered)
    except ApiError as err:
        raise AnotherBackupError(err.call, err.status, err.message) from None


def acted(err: ApiError) -> bool:
    """Whether the panel may have carried out the call that failed with ``err``: its answer
    was lost after the request went out, or came (2xx) and could not be believed."""
    return err.may_have_acted or 200 <= err.status < 300


def may_exist(server_id: int) -> str:
    """What a create that failed after the panel may have acted tells the user."""
    return (
        f"the panel may have started a backup of server {server_id}: check its manual "
        f"backups ({VpsClient.manual_backups_call(server_id)}) before running again"
    )


def _backup_path(backup_id: int) -> str:
    return f"{BACKUPS}{backup_id}/"


def _server_path(server_id: int) -> str:
    return f"/api/v1/servers/{server_id}/"


clients: ClientCache[VpsSettings, VpsClient] = ClientCache(VpsClient)


def vps_client() -> VpsClient:
    """The shared client for the currently configured VPS panel (config resolved per call;
    none while :meth:`~pulumi_backups.core.clients.ClientCache.substitute` serves one)."""
    return clients.serving(resolve_vps)
