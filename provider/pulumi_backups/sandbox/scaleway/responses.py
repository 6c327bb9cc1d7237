"""Scaleway RDB backups over HTTP: parse the request, call the model, serialize.

Every route checks `X-Auth-Token` first (401 denied_authentication), then the region and
the arguments (400 invalid_arguments), then calls `RdbBackend`. Bodies are written like
the real API's (`", "` between members).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..context import SandboxContext
from ..settings import CREDENTIALS
from .exceptions import (
    DeniedAuthentication,
    InvalidArguments,
    PermissionsDenied,
    ScalewayError,
    standard_error,
)
from .models import ORDERS, ORGANIZATION_ID, PROJECT_ID, REGIONS, RdbBackend, echo_time, public

Handler = Callable[[Request, RdbBackend], Awaitable[dict[str, Any]]]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PAGE_SIZE, _MAX_PAGE_SIZE = 20, 100


def _respond(doc: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(doc, separators=(", ", ":"))
    return Response(body, status_code=status, media_type="application/json")


def error_response(error: ScalewayError) -> Response:
    """The API's answer for `error` (an empty body, without Content-Type, when it has none)."""
    body = error.body()
    if body is None:
        return Response(status_code=error.status, headers=dict(error.headers))
    response = _respond(body, error.status)
    response.headers.update(error.headers)
    return response


def standard_response(status: int, method: str) -> Response:
    """The API's answer with a `status` no handler chose (`standard_error`)."""
    return error_response(standard_error(status, method))


def _uuid(value: Any, name: str, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise InvalidArguments(name, "required", "required key not provided")
        return None
    if not isinstance(value, str) or not _UUID.match(value):
        raise InvalidArguments(name, "constraint", "must be a valid UUID")
    return value


def _text(body: Mapping[str, Any], name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise InvalidArguments(name, "required", "required key not provided")
        return None
    if not isinstance(value, str):
        raise InvalidArguments(name, "constraint", "must be a string")
    return value


def _time(body: Mapping[str, Any], name: str) -> str | None:
    value = _text(body, name)
    try:
        return None if value is None else echo_time(value)
    except ValueError as exc:
        raise InvalidArguments(name, "constraint", "must be an RFC 3339 date") from exc


def _int(query: Mapping[str, str], name: str, default: int, high: int | None = None) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (high is not None and int(raw) > high):
        top = f" and {high}" if high else ""
        raise InvalidArguments(name, "constraint", f"must be an integer between 1{top}")
    return int(raw)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise InvalidArguments("body", "constraint", "request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise InvalidArguments("body", "constraint", "request body must be a JSON object")
    return body


def _check(request: Request) -> tuple[str, str]:
    """Authenticate; return (region, backup_id or "")."""
    if request.headers.get("x-auth-token") != CREDENTIALS["SCW_SECRET_KEY"]:
        raise DeniedAuthentication()
    region = request.path_params["region"]
    if region not in REGIONS:
        raise InvalidArguments("region", "constraint", f"must be one of {', '.join(REGIONS)}")
    backup_id = request.path_params.get("backup_id", "")
    if backup_id:
        _uuid(backup_id, "database_backup_id")
    return region, backup_id


async def list_backups(request: Request, backend: RdbBackend) -> dict[str, Any]:
    region, _ = _check(request)
    query = request.query_params
    for owner, ours in (("project_id", PROJECT_ID), ("organization_id", ORGANIZATION_ID)):
        if _uuid(query.get(owner), owner) not in (None, ours):
            raise PermissionsDenied("read", "database_backup")
    order_by = query.get("order_by", "created_at_asc")
    if order_by not in ORDERS:
        raise InvalidArguments("order_by", "constraint", f"must be one of {', '.join(ORDERS)}")
    page, size = _int(query, "page", 1), _int(query, "page_size", _PAGE_SIZE, _MAX_PAGE_SIZE)
    instance_id = _uuid(query.get("instance_id"), "instance_id")
    found = backend.list(region, instance_id, query.get("name"), order_by)
    shown = found[(page - 1) * size : page * size]
    return {"database_backups": [public(doc) for doc in shown], "total_count": len(found)}


async def create_backup(request: Request, backend: RdbBackend) -> dict[str, Any]:
    region, _ = _check(request)
    body = await _body(request)
    instance_id = _uuid(body.get("instance_id"), "instance_id", required=True)
    database_name = _text(body, "database_name", required=True)
    name = _text(body, "name", required=True)
    expires_at = _time(body, "expires_at")
    assert instance_id and database_name and name  # required above
    return public(backend.create(region, instance_id, database_name, name, expires_at))


async def get_backup(request: Request, backend: RdbBackend) -> dict[str, Any]:
    return public(backend.get(*_check(request)))


async def update_backup(request: Request, backend: RdbBackend) -> dict[str, Any]:
    region, backup_id = _check(request)
    body = await _body(request)
    changes: dict[str, Any] = {}
    if _text(body, "name") is not None:
        changes["name"] = body["name"]
    if "expires_at" in body:
        changes["expires_at"] = _time(body, "expires_at")
    return public(backend.update(region, backup_id, changes))


async def delete_backup(request: Request, backend: RdbBackend) -> dict[str, Any]:
    return public(backend.delete(*_check(request)))


async def export_backup(request: Request, backend: RdbBackend) -> dict[str, Any]:
    region, backup_id = _check(request)
    await _body(request)
    return public(backend.export(region, backup_id))


async def restore_backup(request: Request, backend: RdbBackend) -> dict[str, Any]:
    region, backup_id = _check(request)
    body = await _body(request)
    instance_id = _uuid(body.get("instance_id"), "instance_id", required=True)
    database_name = _text(body, "database_name")
    assert instance_id  # required above
    return public(backend.restore(region, backup_id, instance_id, database_name))


def _endpoint(handler: Handler, backend: RdbBackend) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return _respond(await handler(request, backend))
        except ScalewayError as exc:
            return error_response(exc)

    return endpoint


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    """The RDB backup routes (mounted under /rdb/v1)."""
    backend = RdbBackend(ctx)
    one = "/regions/{region}/backups/{backup_id}"
    table: list[tuple[str, str, Handler]] = [
        ("/regions/{region}/backups", "GET", list_backups),
        ("/regions/{region}/backups", "POST", create_backup),
        (one, "GET", get_backup),
        (one, "PATCH", update_backup),
        (one, "DELETE", delete_backup),
        (one + "/export", "POST", export_backup),
        (one + "/restore", "POST", restore_backup),
    ]
    return [
        Route(path, _endpoint(handler, backend), methods=[method])
        for path, method, handler in table
    ]
