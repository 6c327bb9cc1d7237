"""The OVHcloud emulator's single HTTP choke point.

:func:`endpoint` turns a plain handler ``(ctx, call) -> JSON value`` into a Starlette
endpoint that, in order: checks the request signature (unless the route is public),
parses the JSON body, settles every task that has ended, runs the handler in one store
transaction (in a worker thread: the store is synchronous), and answers JSON. Errors use the
real API's shapes (:mod:`.exceptions`); the fault middleware in front stamps every answer
with an ``X-OVH-QUERYID`` (:func:`query_id`) and answers an unexpected failure with the
API's 500 (:func:`standard_response`).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..context import SandboxContext
from ..progress import settled_transaction
from ..settings import CREDENTIALS
from . import auth
from .exceptions import BadRequest, OvhError, standard_error
from .settle import settle

KEYS = auth.Keys(
    application_key=CREDENTIALS["OVH_APPLICATION_KEY"],
    application_secret=CREDENTIALS["OVH_APPLICATION_SECRET"],
    consumer_key=CREDENTIALS["OVH_CONSUMER_KEY"],
)
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


def standard_response(status: int, method: str) -> JSONResponse:
    """The real API's answer with a ``status`` no handler chose (:func:`standard_error`)."""
    return error_response(standard_error(status, method))


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
    with settled_transaction(ctx, settle) as now:
        result = handler(ctx, dataclasses.replace(call, now=now))
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
            return await run_in_threadpool(_run, ctx, handler, call)
        except OvhError as error:
            return error_response(error)

    return serve
