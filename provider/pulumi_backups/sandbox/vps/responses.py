"""VPS panel backups over HTTP (Django REST framework conventions).

Every route checks `Authorization: Bearer <token>` first (401 `{"detail": ...}`), then
validates input (400, one list of messages per field), then calls `VpsBackend`. Lists use
DRF's page-number pagination as `PageNumberPagination` serves it: `count`, `next`,
`previous` (absolute links, page 1's without `page`), `results`, 50 a page, newest (highest
id) first, `?page=` a number or `last`; each request pages the listing as it is then, so a
backup made or deleted between two requests shifts the later pages, and a page past the end
(or not a number, or below 1) is 404 `{"detail": "Invalid page."}`. The first page of an empty
listing is a page (`count` 0), as Django's paginator allows an empty first page.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..context import SandboxContext
from ..settings import CREDENTIALS
from .exceptions import (
    VpsError,
    invalid_page,
    invalid_token,
    not_authenticated,
    parse_error,
    standard_error,
    validation,
)
from .models import CREATE_MESSAGE, VpsBackend, public, public_server

Handler = Callable[[Request, VpsBackend], Awaitable[Response]]

PAGE_SIZE = 50
BACKUP_TYPES = ("manual", "automatic")
_REQUIRED = "This field is required."
_NOT_INT = "A valid integer is required."


def error_response(error: VpsError) -> Response:
    """The panel's answer for `error`."""
    return JSONResponse(error.body, status_code=error.status, headers=error.headers)


def standard_response(status: int, method: str) -> Response:
    """The panel's answer with a `status` no handler chose (`standard_error`)."""
    return error_response(standard_error(status, method))


def _authenticate(request: Request) -> None:
    header = request.headers.get("authorization")
    if not header:
        raise not_authenticated()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or token.strip() != CREDENTIALS["VPS_API_TOKEN"]:
        raise invalid_token()


def _integer(value: Any) -> int | None:
    """DRF IntegerField: ints, integral floats, digit strings; None when invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise parse_error(str(exc)) from exc
    if not isinstance(body, dict):
        kind = type(body).__name__
        raise validation(
            {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
        )
    return body


def _required_int(body: dict[str, Any], name: str, errors: dict[str, list[str]]) -> int:
    value = body.get(name)
    number = _integer(value)
    if value is None or number is None:
        errors[name] = [_REQUIRED if value is None else _NOT_INT]
    return number or 0


def _filters(request: Request) -> tuple[int | None, str | None, int | None]:
    """The server and type filters, and the page asked for (None: `last`, DRF's
    `last_page_strings`)."""
    query = request.query_params
    errors: dict[str, list[str]] = {}
    server_id = _integer(query["server_id"]) if query.get("server_id") else None
    if query.get("server_id") and server_id is None:
        errors["server_id"] = ["Enter a number."]
    backup_type = query.get("backup_type") or None
    if backup_type is not None and backup_type not in BACKUP_TYPES:
        errors["backup_type"] = [
            f"Select a valid choice. {backup_type} is not one of the available choices."
        ]
    if errors:
        raise validation(errors)
    if query.get("page") == "last":
        return server_id, backup_type, None
    page = _integer(query.get("page", "1"))
    if page is None or page < 1:
        raise invalid_page()
    return server_id, backup_type, page


def _page_url(request: Request, page: int) -> str:
    if page == 1:
        return str(request.url.remove_query_params("page"))
    return str(request.url.include_query_params(page=page))


async def list_backups(request: Request, backend: VpsBackend) -> Response:
    server_id, backup_type, page = _filters(request)
    found = backend.list(server_id, backup_type)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = pages if page is None else page
    if page > pages:
        raise invalid_page()
    return JSONResponse(
        {
            "count": len(found),
            "next": _page_url(request, page + 1) if page < pages else None,
            "previous": _page_url(request, page - 1) if page > 1 else None,
            "results": [public(doc) for doc in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]],
        }
    )


async def create_backup(request: Request, backend: VpsBackend) -> Response:
    body = await _body(request)
    errors: dict[str, list[str]] = {}
    server_id = _required_int(body, "server_id", errors)
    description = body.get("description") or ""
    if isinstance(description, (bool, dict, list)):
        errors["description"] = ["Not a valid string."]
    elif len(str(description)) > 255:
        errors["description"] = ["Ensure this field has no more than 255 characters."]
    if errors:
        raise validation(errors)
    doc = backend.create(server_id, str(description))
    return JSONResponse({**public(doc), "message": CREATE_MESSAGE}, status_code=201)


async def delete_backup(request: Request, backend: VpsBackend) -> Response:
    backend.delete(request.path_params["backup_id"])
    return Response(status_code=204)


async def get_server(request: Request, backend: VpsBackend) -> Response:
    return JSONResponse(public_server(backend.server(request.path_params["server_id"])))


async def restore_server(request: Request, backend: VpsBackend) -> Response:
    server_id = request.path_params["server_id"]
    backend.server(server_id)  # 404 before validating the body, like a DRF detail action
    body = await _body(request)
    errors: dict[str, list[str]] = {}
    backup_id = _required_int(body, "backup_id", errors)
    if errors:
        raise validation(errors)
    return JSONResponse(backend.restore(server_id, backup_id), status_code=202)


def _endpoint(handler: Handler, backend: VpsBackend) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            _authenticate(request)
            return await handler(request, backend)
        except VpsError as exc:
            return error_response(exc)

    return endpoint


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    """The panel routes (mounted under /api/v1); ids in paths are integers."""
    backend = VpsBackend(ctx)
    table: list[tuple[str, str, Handler]] = [
        ("/backups/", "GET", list_backups),
        ("/backups/", "POST", create_backup),
        ("/backups/{backup_id:int}/", "DELETE", delete_backup),
        ("/servers/{server_id:int}/", "GET", get_server),
        ("/servers/{server_id:int}/restore/", "POST", restore_server),
    ]
    return [
        Route(path, _endpoint(handler, backend), methods=[method])
        for path, method, handler in table
    ]
