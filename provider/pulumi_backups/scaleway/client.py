"""Scaleway RDB backup API client over httpx: one choke point, typed errors, bounded retries.

:meth:`RdbClient.call` is the only place that sends a request. It authenticates with
``X-Auth-Token``, maps every error answer by status and Scaleway error ``type`` (never by
message text) into :mod:`pulumi_backups.core.errors` with the call, the server's message and
``X-Request-Id``, and retries transient failures (429 with its empty body, 5xx, lost
connections) with jittered backoff; a create (POST) is retried only when the server cannot
have acted on it.

A mutating call refused with 409 ``transient_state`` (the backup is creating, exporting,
restoring or deleting) is not an error the caller sees: the client waits until the backup
leaves its transient status, then sends the call again, within the caller's deadline.

Clients are cached at module level per endpoint and secret key (providers are pickled into
the state and hold nothing), so one deployment shares connections across its 4 threads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from ..core.clients import ClientCache
from ..core.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    error_for_status,
)
from ..core.http_client import HttpApi, HttpClient
from ..core.retry import DEFAULT_RETRY, RetryPolicy
from ..core.waiting import SYSTEM_CLOCK, Clock, WaitPolicy, wait_until
from .models import (
    ApiErrorBody,
    Backup,
    BackupList,
    CreateBackupRequest,
    RestoreBackupRequest,
    UpdateBackupRequest,
)
from .settings import (
    CREDENTIALS_HINT,
    DEFAULT_REGION,
    ENDPOINT_HINT,
    ScalewaySettings,
    resolve_scaleway,
)

TIMEOUT = httpx.Timeout(60.0, connect=10.0)
TRANSIENT_STATE = "transient_state"
BUSY_WAIT = WaitPolicy(timeout=600.0)
"""Default deadline for a mutating call refused while the backup is busy."""

_TYPE_CLASSES: dict[str, type[ApiError]] = {
    "not_found": NotFoundError,
    "transient_state": ConflictError,
    "invalid_arguments": BadRequestError,
    "denied_authentication": AuthError,
    "permissions_denied": AuthError,
    "quotas_exceeded": ApiError,  # a 403 that no credential change will fix
    "locked": ConflictError,  # a resource Scaleway locked: neither transient nor credentials
}
_CREDENTIAL_CODES = frozenset({None, "denied_authentication", "permissions_denied"})
"""The 401/403 answers that a credential change may fix (no type: a gateway's refusal)."""
_IDEMPOTENT = frozenset({"GET", "PATCH", "DELETE"})
"""Failures before the request went out: sending it again cannot repeat an action."""


def map_error(call: str, response: httpx.Response) -> ApiError:
    """The ApiError for an error answer: by Scaleway ``type`` first, then by status.

    A 404 whose body is not of type ``not_found`` (an unknown route, a proxy's page, a wrong
    ``apiUrl``) is a plain ApiError: it must never make a read conclude an object is gone.
    """
    try:
        data = response.json() if response.content else None
    except ValueError:
        data = None
    body = ApiErrorBody.from_api(data)
    request_id = response.headers.get("X-Request-Id")
    status = response.status_code
    code = body.type if body else None
    if body is not None:
        message = body.describe()
    elif status == 429:
        message = "too many requests (rate limited)"
    else:
        text = response.text.strip()[:200] if response.content else ""
        message = text or response.reason_phrase or "no message"
    if status == 404 and code != "not_found":
        message += f" ({ENDPOINT_HINT})"
        return ApiError(call, status, message, request_id=request_id, code=code)
    if status in (401, 403) and code in _CREDENTIAL_CODES:
        message = f"{message} ({CREDENTIALS_HINT})"
    cls = _TYPE_CLASSES.get(code or "")
    if cls is not None:
        return cls(call, status, message, request_id=request_id, code=code)
    return error_for_status(call, status, message, request_id=request_id, code=code)


def _server_time(response: httpx.Response) -> datetime | None:
    """The server's clock from ``Date`` (the last one, should a proxy have added another)."""
    dates = response.headers.get_list("Date")
    try:
        when = parsedate_to_datetime(dates[-1]) if dates else None
    except (TypeError, ValueError):
        return None
    if when is not None and when.tzinfo is None:  # "-0000": UTC, origin unknown
        when = when.replace(tzinfo=timezone.utc)
    return when


API = HttpApi(map_error, ENDPOINT_HINT, _IDEMPOTENT, TIMEOUT)


class RdbClient:
    """Typed calls of the RDB backup API; ``transport`` and ``clock`` are the test seams."""

    def __init__(
        self,
        settings: ScalewaySettings,
        *,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.retry = retry
        self.clock = clock
        headers = {"X-Auth-Token": settings.secret_key}
        self._http = HttpClient(API, settings.api_url, headers, retry, clock, transport)

    def call(self, method: str, path: str, *, json: Any = None, **params: Any) -> httpx.Response:
        """Send one call (retried when transient); return the successful response."""
        return self._http.send(method, path, f"{method} {path}", params=params, json=json)

    def _observed(self, response: httpx.Response) -> datetime:
        """When an answer was given: the server's ``Date``, else this client's clock."""
        return _server_time(response) or self.clock.utc()

    def _backup(self, method: str, path: str, json: Any = None) -> Backup:
        response = self.call(method, path, json=json)
        try:
            return Backup.from_api(response.json(), self._observed(response))
        except (ValueError, ValidationError) as err:
            message = f"malformed backup: {err}"
            raise ApiError(f"{method} {path}", response.status_code, message) from err

    # -- backups ---------------------------------------------------------------------------

    def get_backup(self, region: str, backup_id: str) -> Backup:
        """``GET`` one backup; NotFoundError once it is gone."""
        return self._backup("GET", _path(region, backup_id))

    def list_backups(
        self, region: str, *, instance_id: str | None = None, name: str | None = None
    ) -> list[Backup]:
        """Every backup matching the filters, oldest first (all pages)."""
        found: list[Backup] = []
        page = 1
        while True:
            response = self.call(
                "GET", _path(region), instance_id=instance_id, name=name,
                order_by="created_at_asc", page=page, page_size=100,
            )  # fmt: skip
            try:
                listing = BackupList.from_api(response.json(), self._observed(response))
            except (ValueError, ValidationError) as err:
                message = f"malformed list: {err}"
                raise ApiError(f"GET {_path(region)}", response.status_code, message) from err
            found.extend(listing.database_backups)
            if not listing.database_backups or len(found) >= listing.total_count:
                return found
            page += 1

    def create_backup(
        self, region: str, request: CreateBackupRequest, *, wait: WaitPolicy = BUSY_WAIT
    ) -> Backup:
        """``POST`` a new backup (status ``creating``); waits while the instance is busy."""
        return self._when_settled(
            region, None, lambda: self._backup("POST", _path(region), request.to_api()), wait
        )

    def update_backup(
        self,
        region: str,
        backup_id: str,
        request: UpdateBackupRequest,
        *,
        wait: WaitPolicy = BUSY_WAIT,
    ) -> Backup:
        """``PATCH`` the name and/or expiry of a backup."""
        path = _path(region, backup_id)
        return self._when_settled(
            region, backup_id, lambda: self._backup("PATCH", path, request.to_api()), wait
        )

    def delete_backup(self, region: str, backup_id: str, *, wait: WaitPolicy = BUSY_WAIT) -> Backup:
        """``DELETE`` a backup: answers it in ``deleting``; it then answers 404."""
        path = _path(region, backup_id)
        return self._when_settled(region, backup_id, lambda: self._backup("DELETE", path), wait)

    def export_backup(self, region: str, backup_id: str, *, wait: WaitPolicy = BUSY_WAIT) -> Backup:
        """``POST .../export``: the backup goes ``exporting``, then ``ready`` with a link."""
        path = _path(region, backup_id) + "/export"
        return self._when_settled(region, backup_id, lambda: self._backup("POST", path, {}), wait)

    def restore_backup(
        self,
        region: str,
        backup_id: str,
        request: RestoreBackupRequest,
        *,
        wait: WaitPolicy = BUSY_WAIT,
    ) -> Backup:
        """``POST .../restore``: the backup goes ``restoring``, then ``ready`` again."""
        path = _path(region, backup_id) + "/restore"
        return self._when_settled(
            region, backup_id, lambda: self._backup("POST", path, request.to_api()), wait
        )

    # -- 409 transient_state -----------------------------------------------------------------

    def _when_settled(
        self, region: str, backup_id: str | None, send: Callable[[], Backup], wait: WaitPolicy
    ) -> Backup:
        """Send; on 409 ``transient_state`` wait for the backup to settle and send again.

        Without a backup id (a create refused while the instance is busy) the call is simply
        sent again on the waiting schedule. Raises WaitTimeoutError past ``wait.timeout``.
        """
        seen: dict[str, str] = {}

        def attempt() -> Backup | None:
            if seen and backup_id is not None:
                current = self.get_backup(region, backup_id)
                seen["status"] = current.status
                if current.transient:
                    return None
            try:
                return send()
            except ConflictError as err:
                if err.code != TRANSIENT_STATE:
                    raise
                seen.setdefault("status", "transient_state")
                return None

        result = wait_until(
            attempt,
            lambda value: value is not None,
            what=f"backup {backup_id or '(new)'} in {region} to leave its transient state",
            status=lambda _: seen.get("status", "?"),
            policy=wait,
            clock=self.clock,
            tolerate_transient=False,  # `send` mutates: the client's retry rules stand
        )
        assert result is not None  # done() only accepts a backup
        return result

    def close(self) -> None:
        self._http.close()


def _path(region: str, backup_id: str | None = None) -> str:
    path = f"/rdb/v1/regions/{quote(region, safe='')}/backups"
    return f"{path}/{quote(backup_id, safe='')}" if backup_id else path


clients: ClientCache[ScalewaySettings, RdbClient] = ClientCache(RdbClient)


def rdb_client(region: str | None = None) -> tuple[RdbClient, str]:
    """The shared client of the configured account, and the region to use.

    ``region`` (a resource argument) wins; otherwise stack config, environment, profile
    file, then ``fr-par`` (see :func:`pulumi_backups.core.config.resolve_scaleway`).
    """
    settings = resolve_scaleway(region)
    # regions are per call: one client (one connection pool) serves an account everywhere
    account = dataclasses.replace(settings, region=DEFAULT_REGION)
    return clients.get(account), settings.region
