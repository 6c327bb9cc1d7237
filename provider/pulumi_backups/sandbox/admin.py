"""Admin routes under /_sandbox: reset, run-time config, counters, clock, scripted outcomes,
targeted faults, and what followed a redirect lie (``/collect/...``).

Every route speaks JSON; a malformed request answers 400 `{"error": "..."}`. These routes
are never faulted nor counted.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from . import lies, registry
from .context import FAULT_KINDS, META, SCRIPTABLE, FaultRule, SandboxContext


class AdminError(Exception):
    """A malformed admin request (400)."""


def objects(ctx: SandboxContext) -> dict[str, dict[str, Any]]:
    """Every stored API object, `{kind: {key: doc}}`, as of now: every API first applies
    what time has done (ended operations, expiries), as its next request would."""
    with ctx.store.transaction():
        registry.settle(ctx, ctx.clock())
        items = list(ctx.store.items())
    dump: dict[str, dict[str, Any]] = {}
    for kind, key, doc in items:
        if kind != META:
            dump.setdefault(kind, {})[key] = doc
    return dump


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise AdminError("body is not JSON") from exc
    if not isinstance(body, dict):
        raise AdminError("body must be a JSON object")
    return body


def _number(body: dict[str, Any], key: str) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise AdminError(f"{key} must be a non-negative number")
    return float(value)


class _Admin:
    """The admin handlers, bound to one sandbox context."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    async def reset(self, request: Request) -> JSONResponse:
        self.ctx.reset()
        return JSONResponse({"reset": True})

    async def get_config(self, request: Request) -> JSONResponse:
        return JSONResponse(self.ctx.settings.config())

    async def put_config(self, request: Request) -> JSONResponse:
        body = await _json_object(request)
        changes = {key: _number(body, key) for key in body}
        try:
            return JSONResponse(self.ctx.configure(changes))
        except ValueError as exc:
            raise AdminError(str(exc)) from exc

    async def get_counters(self, request: Request) -> JSONResponse:
        return JSONResponse(self.ctx.counters())

    async def clear_counters(self, request: Request) -> JSONResponse:
        self.ctx.clear_counters()
        return JSONResponse({})

    async def advance(self, request: Request) -> JSONResponse:
        seconds = _number(await _json_object(request), "seconds")
        return JSONResponse({"clock": self.ctx.advance(seconds)})

    async def get_outcomes(self, request: Request) -> JSONResponse:
        return JSONResponse(self.ctx.scripted())

    async def post_outcomes(self, request: Request) -> JSONResponse:
        body = await _json_object(request)
        operation, outcome, count = body.get("operation"), body.get("outcome"), body.get("count", 1)
        if operation not in registry.OPERATIONS:
            raise AdminError(f"unknown operation {operation!r}")
        if outcome not in SCRIPTABLE:
            raise AdminError("outcome must be 'fail' or 'hang'")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise AdminError("count must be a positive integer")
        self.ctx.script(operation, outcome, count)
        return JSONResponse(self.ctx.scripted())

    async def get_faults(self, request: Request) -> JSONResponse:
        return JSONResponse(self.ctx.faults())

    async def post_fault(self, request: Request) -> JSONResponse:
        body = await _json_object(request)
        unknown = sorted(set(body) - {"kind", "route", "api", "count"})
        if unknown:
            raise AdminError(f"unknown keys: {', '.join(unknown)}")
        kind, route, api, count = (body.get(k) for k in ("kind", "route", "api", "count"))
        if not isinstance(kind, str) or not (kind in FAULT_KINDS or lies.is_lie(kind)):
            known = ", ".join(sorted(FAULT_KINDS | lies.REWRITES | lies.WITHHELD))
            raise AdminError(f"kind must be one of {known} (lies take an argument)")
        if lies.is_lie(kind):
            try:
                lies.check(kind)
            except ValueError as exc:
                raise AdminError(f"{kind}: {exc}") from exc
        if route is not None and not isinstance(route, str):
            raise AdminError("route must be a string like 'GET /1.0/hosting/web/{serviceName}'")
        if api is not None and api not in registry.APIS:
            raise AdminError(f"api must be one of {', '.join(registry.APIS)}")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise AdminError("count must be a positive integer, or null for every request")
        self.ctx.add_fault(FaultRule(kind, route, api, count if "count" in body else 1))
        return JSONResponse(self.ctx.faults())

    async def clear_faults(self, request: Request) -> JSONResponse:
        self.ctx.clear_faults()
        return JSONResponse([])

    async def collect(self, request: Request) -> JSONResponse:
        """Whatever followed a ``redirect`` lie: recorded whole (credentials included)."""
        body = (await request.body()).decode(errors="replace")
        path = request.url.path.removeprefix(lies.COLLECT)
        headers = dict(request.headers)
        self.ctx.collect({"method": request.method, "path": path, "headers": headers, "body": body})
        return JSONResponse({})

    async def get_collected(self, request: Request) -> JSONResponse:
        return JSONResponse(self.ctx.collected())

    async def get_objects(self, request: Request) -> JSONResponse:
        return JSONResponse(objects(self.ctx))


_ANY = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    """The admin routes (mounted under /_sandbox), bound to one sandbox context."""
    admin = _Admin(ctx)
    return [
        Route("/reset", admin.reset, methods=["POST"]),
        Route("/config", admin.get_config, methods=["GET"]),
        Route("/config", admin.put_config, methods=["PUT"]),
        Route("/counters", admin.get_counters, methods=["GET"]),
        Route("/counters", admin.clear_counters, methods=["DELETE"]),
        Route("/advance", admin.advance, methods=["POST"]),
        Route("/outcomes", admin.get_outcomes, methods=["GET"]),
        Route("/outcomes", admin.post_outcomes, methods=["POST"]),
        Route("/faults", admin.get_faults, methods=["GET"]),
        Route("/faults", admin.post_fault, methods=["POST"]),
        Route("/faults", admin.clear_faults, methods=["DELETE"]),
        Route("/objects", admin.get_objects, methods=["GET"]),
        Route("/collected", admin.get_collected, methods=["GET"]),
        Route("/collect/{path:path}", admin.collect, methods=_ANY),
    ]


async def admin_error(request: Request, exc: Exception) -> JSONResponse:
    """Exception handler: a malformed admin request answers 400 `{"error": ...}`."""
    return JSONResponse({"error": str(exc)}, status_code=400)
