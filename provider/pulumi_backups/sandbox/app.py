"""The sandbox's ASGI application: the emulated APIs and the admin routes.

`build_app(ctx)` seeds a fresh store with every API's fixed objects and the settings'
scenarios (a store reopened from a state file is kept as is), mounts each API of
:mod:`.registry` under its prefixes and the admin routes under `/_sandbox`, and puts the
fault middleware in front. Unknown routes and wrong methods answer in the error shape of the
API whose prefix they fall under.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount

from . import admin
from .context import SandboxContext
from .faults import FaultMiddleware
from .registry import APIS, api_for
from .scenarios import seeders


def build_app(ctx: SandboxContext) -> Starlette:
    """The application serving one sandbox context (seeded before it is returned)."""
    ctx.seeders = [api.seed for api in APIS.values()] + seeders(ctx.settings.scenarios)
    ctx.seed()
    routes: list[BaseRoute] = [
        Mount(prefix, routes=api.routes(ctx)) for api in APIS.values() for prefix in api.prefixes
    ]
    routes.append(Mount("/_sandbox", routes=admin.routes(ctx)))
    return Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, ctx=ctx, routes=routes)],
        exception_handlers={HTTPException: _http_error, admin.AdminError: admin.admin_error},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    """Routing errors (no such route, wrong method) in the API's own error shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    api = api_for(request.url.path)
    if api is None:
        body = {"error": "not found" if status == 404 else "method not allowed"}
        response: Response = JSONResponse(body, status_code=status)
    else:
        response = api.error(status, request.method)
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response
