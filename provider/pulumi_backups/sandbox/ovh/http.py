"""The OVHcloud emulator's single HTTP choke point.

:func:`endpoint` turns a plain handler ``(ctx, call) -> JSON value`` into a Starlette
endpoint that, in order: checks the request signature (unless the route is public),
parses the JSON body, settles every task that has ended, runs the handler in one store
transaction (in a worker thread: the store is synchronous), and answers JSON. Every
answer, error or not, carries an ``X-OVH-QUERYID`` header; errors use the real API's shapes
(:mod:`.exceptions`).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..context import SandboxContext
from ..settings import CREDENTIALS
from . import auth, hosting_effects, nasha_models, timeline
from .exceptions import BadRequest, OvhError

log = logging.getLogger(__name__)

KEYS = auth.Keys(
    application_key=CREDENTIALS["OVH_APPLICATION_KEY"],
    application_secret=CREDENTIALS["OVH_APPLICATION_SECRET"],
    consumer_key=CREDENTIALS["OVH_CONSUMER_KEY"],
)
EFFECTS: dict[str, timeline.Effect] = {**hosting_effects.EFFECTS, **nasha_models.EFFECTS}
_QUERY_SEQ = itertools.count(1)


@dataclass(frozen=True)
class Call:
    """One parsed request: path parameters, query, JSON body, its instant and API root."""

    path: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any]
    now: float
    base_url: str


Handler = Callable[[SandboxContext, Call], Any]
Endpoint = Callable[[Request], Awaitable[Response]]


def query_id() -> str:
    """A request id shaped like the real ``X-OVH-QUERYID`` (``EU.ext-1.<hex>.<n>.<hex>``)."""
    return f"EU.ext-1.{secrets.token_hex(4)}.{next(_QUERY_SEQ)}.{secrets.token_hex(16)}"


def error_response(error: OvhError) -> JSONResponse:
    """The real API's answer for ``error``."""
    return JSONResponse(error.body(), status_code=error.status)


def settle(ctx: SandboxContext, now: float) -> None:
    """Apply everything that time has brought about by ``now`` (tasks, expiries)."""
    timeline.settle(ctx, now, EFFECTS)
    hosting_effects.housekeeping(ctx, now)
    nasha_models.expire_custom_snapshots(ctx, now)


def _verify(request: Request, raw: bytes, now: float) -> None:
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.scope["path"]
    query = request.scope.get("query_string", b"").decode("latin-1")
    headers = {key: value for key, value in request.headers.items()}
    urls = auth.candidate_urls(request.url.scheme, headers, path, query)
    auth.verify(KEYS, request.method, urls, raw.decode("utf-8", "replace"), headers, now)


def _public_root(request: Request) -> str:
    """The API root as the client reached it (through a proxy, if any): links use it."""
    headers = request.headers
    scheme = headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    host = headers.get("x-forwarded-host", headers.get("host", request.url.netloc))
    return f"{scheme}://{host.split(',')[0].strip()}{request.scope.get('root_path', '')}"


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("Invalid JSON received") from None
    if not isinstance(body, dict):
        raise BadRequest("Invalid JSON received: an object is expected")
    return body


def _run(ctx: SandboxContext, handler: Handler, call: Call) -> Response:
    with ctx.store.transaction():
        # the instant is taken under the lock so that requests see time in order
        call = dataclasses.replace(call, now=ctx.clock())
        settle(ctx, call.now)
        result = handler(ctx, call)
    return result if isinstance(result, Response) else JSONResponse(result)


def endpoint(ctx: SandboxContext, handler: Handler, *, signed: bool = True) -> Endpoint:
    """A Starlette endpoint running ``handler`` the way the real API would."""

    async def serve(request: Request) -> Response:
        now = ctx.clock()
        try:
            raw = await request.body()
            if signed:
                _verify(request, raw, now)
            base = _public_root(request)
            call = Call(
                path=dict(request.path_params),
                query=dict(request.query_params),
                body=_body(raw),
                now=now,
                base_url=base,
            )
            response = await run_in_threadpool(_run, ctx, handler, call)
        except OvhError as error:
            response = error_response(error)
        except Exception:
            log.exception("sandbox OVH handler failed")
            body = {"class": "Server::InternalServerError", "message": "Internal server error"}
            response = JSONResponse(body, status_code=500)
        response.headers["X-OVH-QUERYID"] = query_id()
        return response

    return serve
