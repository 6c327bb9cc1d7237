"""Scaleway RDB backup API client over httpx: one choke point, typed errors, bounded retries.

:meth:`RdbClient.call` is the only place that sends a request. It authenticates with
``X-Auth-Token``, maps every error answer by status and Scaleway error ``type`` (never by
message text) into :mod:`pulumi_backups.core.errors` with the call, the server's message and
``X-Request-Id``, and retries transient failures (429 with its empty body, 5xx, lost
connections) with jittered backoff; a create (POST) is retried only when the server cannot
have acted on it.

Every answer is read through :func:`~pulumi_backups.core.answers.parsed` (a body the models
refuse, of any shape or depth, is an ApiError naming the call) and checked against its request
with :func:`~pulumi_backups.core.answers.same_object`: the backup a route names (id, region),
the backup a create asked for (instance, database, name, region), each entry of a filtered
listing, and the backup a download link is for. The server's ``Date`` is believed only within
:data:`~.models.CLOCK_BOUND_SECONDS` of this client's clock.

The client only speaks HTTP: beyond those retries it never polls, waits or sends a call
again. A mutating call refused with 409 ``transient_state`` (the backup or its instance is
busy) is a :class:`~pulumi_backups.core.errors.ConflictError` of that ``code``: waiting for
the backup to settle and sending the call again is :func:`.waiters.when_settled`'s.

Clients are cached at module level per endpoint and secret key (providers are pickled into
the state and hold nothing), so one deployment shares connections across its 4 threads.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from ..core.answers import malformed, parsed, same_object
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
from ..core.waiting import SYSTEM_CLOCK, Clock
from .models import (
    CLOCK_BOUND_SECONDS,
    ApiErrorBody,
    Backup,
    BackupList,
    CreateBackupRequest,
    RestoreBackupRequest,
    UpdateBackupRequest,
    linked_backup,
    rfc3339,
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
"""The ``code`` of a 409 refusing a call while the backup, or its instance, is busy."""

_TYPE_CLASSES: dict[str, type[ApiError]] = {
    "not_found": NotFoundError,
    TRANSIENT_STATE: ConflictError,
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
T = TypeVar("T")


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

    def _observed(self, response: httpx.Response) -> tuple[datetime, datetime | None, datetime]:
        """When an answer was given, the server's ``Date`` (None: none readable), and this
        client's clock. When is the ``Date`` itself if within :data:`CLOCK_BOUND_SECONDS` of
        this client's clock, else this client's clock (a server or proxy that far off is not
        believed)."""
        ours, theirs = self.clock.utc(), _server_time(response)
        if theirs is None or abs((theirs - ours).total_seconds()) > CLOCK_BOUND_SECONDS:
            return ours, theirs, ours
        return theirs, theirs, ours

    def _read(self, call: str, response: httpx.Response, build: Callable[..., T]) -> T:
        """The answer's body built by ``build(data, *self._observed(response))``; anything it
        refuses (not JSON, truncated, nested too deep, no body) is a malformed answer."""
        seen = self._observed(response)
        return parsed(
            call,
            lambda raw: build(json.loads(raw), *seen),
            response.content or None,
            status=response.status_code,
            request_id=response.headers.get("X-Request-Id"),
        )

    def _backup(
        self, method: str, path: str, asked: Mapping[str, object], body: Any = None
    ) -> Backup:
        """Send; the answer must be a backup with the ``asked`` identity (and a download
        link, if any, for that backup)."""
        call = f"{method} {path}"
        response = self.call(method, path, json=body)
        backup = self._read(call, response, Backup.from_api)
        _same_backup(call, response, asked, backup)
        return backup

    # -- backups ---------------------------------------------------------------------------

    def get_backup(
        self, region: str, backup_id: str, expect: Mapping[str, object] | None = None
    ) -> Backup:
        """``GET`` one backup; NotFoundError once it is gone. The answer must be about it:
        its id and region, and what ``expect`` says of it (:meth:`Backup.known`)."""
        asked = {**(expect or {}), **_named(region, backup_id)}
        return self._backup("GET", _path(region, backup_id), asked)

    def list_backups(
        self, region: str, *, instance_id: str | None = None, name: str | None = None
    ) -> list[Backup]:
        """Every backup matching the filters (``name``: a part of the name), oldest first, all
        pages; a page with an entry the filters exclude, pages whose counts differ (the listing
        moved while read: an entry may have slid from one page to another), or fewer distinct
        entries than counted, are errors."""
        found: dict[str, Backup] = {}
        counts: list[int] = []  # a count that moves between pages: an entry may be skipped
        page = 1
        while True:
            response = self.call(
                "GET", _path(region), instance_id=instance_id, name=name,
                order_by="created_at_asc", page=page, page_size=100,
            )  # fmt: skip
            call = f"GET {_path(region)} (page {page})"
            listing = self._read(call, response, BackupList.from_api)
            counts.append(listing.total_count)
            for backup in listing.database_backups:
                _listed(call, response, region, instance_id, name, backup)
                found[backup.id] = backup
            if not listing.database_backups or len(found) >= listing.total_count:
                break
            page += 1
        if len(set(counts)) > 1:
            reason = f"the count changed between pages ({counts}): the listing moved as it was read"
            raise malformed(
                call, response.status_code, reason, response.headers.get("X-Request-Id")
            )
        if len(found) != listing.total_count:
            reason = f"{len(found)} distinct backups listed, the count says {listing.total_count}"
            raise malformed(
                call, response.status_code, reason, response.headers.get("X-Request-Id")
            )
        return list(found.values())

    def create_backup(self, region: str, request: CreateBackupRequest) -> Backup:
        """``POST`` a new backup (status ``creating``). The answer must be about the instance,
        database and name asked for, and about a backup created since the request was sent
        when the server's clock agrees with this client's (a backup created earlier is
        another)."""
        asked: dict[str, object] = {
            "region": region, "instance_id": request.instance_id,
            "database_name": request.database_name, "name": request.name,
        }  # fmt: skip
        if request.expires_at is not None:
            asked["expires_at"] = rfc3339(request.expires_at)
        sent_at = self.clock.utc()
        backup = self._backup("POST", _path(region), asked, request.to_api())
        agrees = backup.server_date is not None and backup.observed_at == backup.server_date
        since = sent_at - timedelta(seconds=CLOCK_BOUND_SECONDS)
        if agrees and (backup.created_at is None or backup.created_at < since):
            made = rfc3339(backup.created_at) if backup.created_at else "an unknown date"
            message = (
                f"the answer is about backup {backup.id}, created at {made}, before the "
                f"request ({rfc3339(sent_at)}, give or take {CLOCK_BOUND_SECONDS:g} s): not used"
            )
            raise ApiError(f"POST {_path(region)}", 200, message)
        return backup

    def update_backup(
        self,
        region: str,
        backup_id: str,
        request: UpdateBackupRequest,
        *,
        expect: Mapping[str, object] | None = None,
    ) -> Backup:
        """``PATCH`` the name and/or expiry of a backup; the answer must carry them, and what
        ``expect`` says of the backup."""
        path, asked = _path(region, backup_id), {**(expect or {}), **_named(region, backup_id)}
        if request.name is not None:
            asked["name"] = request.name
        if request.expires_at is not None:
            asked["expires_at"] = rfc3339(request.expires_at)
        return self._backup("PATCH", path, asked, request.to_api())

    def delete_backup(self, region: str, backup_id: str) -> Backup:
        """``DELETE`` a backup: answers it in ``deleting``; it then answers 404."""
        return self._backup("DELETE", _path(region, backup_id), _named(region, backup_id))

    def export_backup(self, region: str, backup_id: str) -> Backup:
        """``POST .../export``: the backup goes ``exporting``, then ``ready`` with a link."""
        path = _path(region, backup_id) + "/export"
        return self._backup("POST", path, _named(region, backup_id), {})

    def restore_backup(self, region: str, backup_id: str, request: RestoreBackupRequest) -> Backup:
        """``POST .../restore``: the backup goes ``restoring``, then ``ready`` again."""
        path = _path(region, backup_id) + "/restore"
        return self._backup("POST", path, _named(region, backup_id), request.to_api())

    def close(self) -> None:
        self._http.close()


def refused_success(err: ApiError) -> bool:
    """Whether ``err`` is a success answer this client refused (malformed, or about another
    object than the one asked for): the server carried the call out all the same."""
    return 200 <= err.status < 300


def _named(region: str, backup_id: str) -> dict[str, object]:
    """What a route about one backup asks for."""
    return {"id": backup_id, "region": region}


def _same_backup(
    call: str, response: httpx.Response, asked: Mapping[str, object], backup: Backup
) -> None:
    """Raise unless ``backup`` has the ``asked`` identity and its download link (if any) is
    for it, not for another backup."""
    request_id = response.headers.get("X-Request-Id")
    what = f"backup {asked['region']}/{asked['id']}" if "id" in asked else "the backup asked for"
    same_object(call, what, asked, backup.identity(), request_id=request_id)
    if backup.download_url:
        link = {"download_url for": linked_backup(backup.download_url)}
        ours = {"download_url for": backup.id}
        same_object(call, f"backup {backup.id}", ours, link, request_id=request_id)


def _listed(
    call: str,
    response: httpx.Response,
    region: str,
    instance_id: str | None,
    name: str | None,
    backup: Backup,
) -> None:
    """Raise unless a listed backup is one the listing's filters let through."""
    asked: dict[str, object] = {"region": region}
    if instance_id is not None:
        asked["instance_id"] = instance_id
    if name and name not in backup.name:
        asked["name"] = f"*{name}*"
    _same_backup(call, response, asked, backup)


def _path(region: str, backup_id: str | None = None) -> str:
    path = f"/rdb/v1/regions/{quote(region, safe='')}/backups"
    return f"{path}/{quote(backup_id, safe='')}" if backup_id else path


clients: ClientCache[ScalewaySettings, RdbClient] = ClientCache(RdbClient)


def rdb_client(region: str | None = None) -> tuple[RdbClient, str]:
    """The shared client of the configured account, and the region to use.

    ``region`` (a resource argument) wins; otherwise stack config, environment, profile
    file, then ``fr-par`` (see :func:`.settings.resolve_scaleway`). While
    :meth:`~pulumi_backups.core.clients.ClientCache.substitute` serves a client, no settings
    are read: that client, and ``region`` or ``fr-par``.
    """
    served = clients.substituted()
    if served is not None:
        return served, region or DEFAULT_REGION
    settings = resolve_scaleway(region)
    # regions are per call: one client (one connection pool) serves an account everywhere
    account = dataclasses.replace(settings, region=DEFAULT_REGION)
    return clients.get(account), settings.region
