"""The sandbox's ASGI application: the three emulated APIs and the admin routes.

`build_app(ctx)` seeds a fresh store with the fixed objects and the settings' scenarios (a
store reopened from a state file is kept as is), mounts `/1.0` and `/v1` (OVHcloud, which
serves its API under both), `/rdb/v1` (Scaleway), `/api/v1` (VPS panel) and `/_sandbox`
(admin), and puts the fault middleware in front. Unknown routes and wrong methods answer in
the error shape of the API whose prefix they fall under.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount

from . import admin, ovh, scaleway, vps
from .context import SandboxContext
from .faults import FaultMiddleware, api_of
from .scenarios import seeders


def build_app(ctx: SandboxContext) -> Starlette:
    """The application serving one sandbox context (seeded before it is returned)."""
    ctx.seeders = [ovh.seed, scaleway.seed, vps.seed, *seeders(ctx.settings.scenarios)]
    ctx.seed()
    routes: list[BaseRoute] = [
        Mount("/1.0", routes=ovh.routes(ctx)),
        Mount("/v1", routes=ovh.routes(ctx)),
        Mount("/rdb/v1", routes=scaleway.routes(ctx)),
        Mount("/api/v1", routes=vps.routes(ctx)),
        Mount("/_sandbox", routes=admin.routes(ctx)),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, ctx=ctx, routes=routes)],
        exception_handlers={HTTPException: _http_error, admin.AdminError: admin.admin_error},
    )


def _routing_error(api: str | None, status: int, method: str) -> dict[str, Any]:
    not_found = status == 404
    if api == "ovh":
        if not_found:
            return {"class": "Client::NotFound", "message": "Got an invalid (or empty) URL"}
        return {"class": "Client::MethodNotAllowed", "message": f"Method {method} not allowed"}
    if api == "scaleway":
        return {"message": "Not Found" if not_found else "Method Not Allowed"}
    if api == "vps":
        return {"detail": "Not found." if not_found else f'Method "{method}" not allowed.'}
    return {"error": "not found" if not_found else "method not allowed"}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Routing errors (no such route, wrong method) in the API's own error shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    body = _routing_error(api_of(request.url.path), status, request.method)
    headers = exc.headers if isinstance(exc, HTTPException) else None
    return JSONResponse(body, status_code=status, headers=headers)
