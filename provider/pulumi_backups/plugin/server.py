"""``pulumi-resource-backups``: the resources of this package served as a Pulumi provider
plugin (gRPC, ``pulumi.provider.experimental``), to every Pulumi language.

Each call is dispatched by type token (:mod:`.kinds`) to the same ``XProvider`` the dynamic
resources use, so check, diff and every data-safety rule are the dynamic path's; this module
only converts property values (camelCase names, secrets, unknowns) and runs the blocking
work on a thread of its own, so that as many operations run at once as the engine sends
(``--parallel``). The engine's custom timeouts win over the ``timeouts`` input; ``Cancel``
stops every wait at once, each naming what it leaves (:data:`core.waiting.CANCELLED`).

A create (and the update that finishes one) runs inside :func:`core.partial.partial_results`:
an object made but not finished comes back to the engine as a partial result (:class:`Partial`),
which keeps it in the state; the next ``up`` updates it, and that update finishes it. Every
error reaches the engine as its message alone, at most :data:`MAX_ERROR` bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import re
import sys
from collections.abc import Awaitable, Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import grpc
import grpc.aio
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc, status_pb2
from pulumi.runtime.rpc import UNKNOWN

from ..core.config import set_stack_config
from ..core.errors import BackupsError, in_resource
from ..core.partial import IncompleteCreateError, partial_results
from ..core.provider import ENGINE_TIMEOUT, FieldDiff
from ..core.waiting import CANCELLED
from .kinds import (
    BY_TOKEN,
    LOOKUPS_BY_TOKEN,
    ORPHAN_DUMP_SECRETS,
    ORPHAN_DUMPS,
    PACKAGE,
    SETTINGS,
    Kind,
    camel,
    snake,
)

T = TypeVar("T")
MAX_THREADS = 1024
"""Operations in flight at once in one plugin process (each mostly sleeps in its waits)."""
_BY_KEY = {setting.key: setting for setting in SETTINGS}


# -- property values ---------------------------------------------------------------------------


def to_python(value: PropertyValue) -> Any:
    """A plain value: unknowns as the SDK's unknown marker, integral numbers as ints (the
    protocol has floats only), secrets unwrapped."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: to_python(v) for k, v in inner.items()}
    if isinstance(inner, (list, tuple)):
        return [to_python(v) for v in inner]
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    return inner


def to_value(value: Any, secret: bool = False) -> PropertyValue:
    """A property value for the engine (numbers as floats). An unknown stays the wire's
    unknown marker, which the engine reads as computed (the SDK cannot marshal its own)."""
    if value == UNKNOWN:
        return PropertyValue(UNKNOWN)
    if isinstance(value, Mapping):
        inner: Any = {str(k): to_value(v) for k, v in value.items()}
    elif isinstance(value, (list, tuple)):
        inner = [to_value(v) for v in value]
    elif isinstance(value, int) and not isinstance(value, bool):
        inner = float(value)
    else:
        inner = value
    return PropertyValue(inner, is_secret=secret)


def to_answer(answer: Mapping[str, Any], secrets: Collection[str]) -> dict[str, PropertyValue]:
    """A function's answer for the engine: schema names at every depth, the fields named in
    ``secrets`` marked secret wherever they are (a list's entries too)."""

    def value(item: Any, secret: bool) -> PropertyValue:
        if isinstance(item, Mapping):
            inner = {camel(k): value(v, k in secrets) for k, v in item.items()}
            return PropertyValue(inner, is_secret=secret)
        if isinstance(item, (list, tuple)):
            return PropertyValue([value(v, False) for v in item], is_secret=secret)
        return to_value(item, secret)

    return {camel(k): value(v, k in secrets) for k, v in answer.items()}


def from_engine(properties: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """The engine's properties with the Python names of the dynamic path."""
    return {snake(k): to_python(v) for k, v in properties.items()}


def to_engine(properties: Mapping[str, Any], secrets: Collection[str]) -> dict[str, PropertyValue]:
    """Properties with their schema names, those named in ``secrets`` marked secret."""
    return {camel(k): to_value(v, k in secrets) for k, v in properties.items()}


# -- the provider ------------------------------------------------------------------------------


class BackupsProvider(rpc.Provider):
    """Every resource of the package, by type token; see the module docstring."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(MAX_THREADS, thread_name_prefix="backups")

    async def _run(self, work: Callable[[], T], timeout: float | None = None) -> T:
        """``work`` on a thread of the pool, with the engine's ``timeout`` when it gives one."""
        context = contextvars.copy_context()
        context.run(ENGINE_TIMEOUT.set, timeout or None)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, context.run, work)

    async def _run_keeping(
        self, kind: Kind, inputs: Mapping[str, Any], work: Callable[[], T], timeout: float
    ) -> T:
        """``work`` (a create, or an update) run as :meth:`_run` runs it, keeping an object it
        made and did not finish: its :class:`IncompleteCreateError` becomes :class:`Partial`,
        whose properties are the object's outputs so far over ``inputs``, as a create's are."""

        def keeping() -> T:
            with partial_results():
                return work()

        try:
            return await self._run(keeping, timeout)
        except BackupsError as err:
            incomplete = _incomplete(err)
            if incomplete is None:
                raise
            stored = kind.provider().parse(inputs).to_inputs()
            outputs = to_engine({**stored, **incomplete.outputs}, kind.secrets)
            raise Partial(incomplete.id, outputs, str(err)) from err

    async def get_schema(self, request: rpc.GetSchemaRequest) -> rpc.GetSchemaResponse:
        from .schema import schema_text  # only GetSchema needs it

        return rpc.GetSchemaResponse(schema=schema_text())

    async def check_config(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        unknown = sorted(k for k in request.new_inputs if k not in _BY_KEY and k != "version")
        failures = [rpc.CheckFailure(k, "not a setting of this provider") for k in unknown]
        return rpc.CheckResponse(inputs=request.new_inputs, failures=failures)

    async def configure(self, request: rpc.ConfigureRequest) -> rpc.ConfigureResponse:
        """The provider's settings become the stack config the settings lookups read; unset
        ones fall back on the environment and the vendors' files, as on the dynamic path.

        Process-wide: the engine starts one plugin process per provider instance (the
        default one and each explicit one: ``defaultHost.Provider`` in pulumi/pulumi
        pkg/resource/plugin/host.go loads a new plugin on every call), so two accounts in
        one stack are two processes, each configured once."""
        values: dict[str, Any] = {}
        for name, text in request.variables.items():
            setting = _BY_KEY.get(name.rpartition(":")[2])
            if setting is not None:
                values[setting.dynamic_key] = text
        for key, value in (request.args or {}).items():
            setting, plain = _BY_KEY.get(key), to_python(value)
            if setting is not None and plain not in (None, "", UNKNOWN):
                values[setting.dynamic_key] = plain
        set_stack_config(values)
        return rpc.ConfigureResponse(accept_secrets=True, supports_preview=False)

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        kind = BY_TOKEN[request.type]
        olds, news = from_engine(request.old_inputs), from_engine(request.new_inputs)
        result = await self._run(lambda: kind.provider().check(olds, news))
        failures = [rpc.CheckFailure(camel(f.property), f.reason) for f in result.failures]
        return rpc.CheckResponse(inputs=to_engine(result.inputs, kind.secrets), failures=failures)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        kind = BY_TOKEN[request.type]
        olds, news = from_engine(request.old_state), from_engine(request.new_inputs)
        result = await self._run(lambda: kind.provider().diff(request.resource_id, olds, news))
        return detailed(result, olds, news)

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        kind = BY_TOKEN[request.type]
        props = from_engine(request.properties)
        provider = kind.provider()
        result = await self._run_keeping(
            kind, props, lambda: provider.create(props), request.timeout
        )
        return rpc.CreateResponse(str(result.id), to_engine(result.outs or {}, kind.secrets))

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        """A refresh reads the object; a read with an id alone (``pulumi import``) first finds
        the inputs that describe the object."""
        kind = BY_TOKEN[request.type]
        props = from_engine({**request.inputs, **request.properties})
        provider = kind.provider()
        resource_id = request.resource_id
        if not props:
            props = await self._run(lambda: _imported(kind, provider, resource_id))
            resource_id = provider.import_id(resource_id)
        result = await self._run(lambda: provider.read(resource_id, props))
        outs = result.outs or {}
        fields = kind.args.model_fields
        given = {k: v for k, v in outs.items() if k in fields}
        inputs = request.inputs or to_engine(given, kind.secrets)
        return rpc.ReadResponse(str(result.id or ""), to_engine(outs, kind.secrets), inputs)

    async def update(self, request: rpc.UpdateRequest) -> rpc.UpdateResponse:
        """An update; also how the engine finishes a partial create (the state's init errors
        make it send an Update even with no change: ``hasInitErrors`` in pulumi/pulumi
        pkg/resource/deploy/step_generator.go), so an object still unfinished stays partial."""
        kind = BY_TOKEN[request.type]
        olds, news = from_engine(request.olds), from_engine(request.news)
        provider = kind.provider()
        result = await self._run_keeping(
            kind, news, lambda: provider.update(request.resource_id, olds, news), request.timeout
        )
        return rpc.UpdateResponse(to_engine(result.outs or {}, kind.secrets))

    async def delete(self, request: rpc.DeleteRequest) -> None:
        kind = BY_TOKEN[request.type]
        props = from_engine(request.properties)
        await self._run(lambda: kind.provider().delete(request.resource_id, props), request.timeout)

    async def invoke(self, request: rpc.InvokeRequest) -> rpc.InvokeResponse:
        """A function: the orphan dumps, or a look-up (its answer with its schema names, its
        secrets marked at any depth)."""
        args = from_engine(request.args)
        if request.tok == ORPHAN_DUMPS:
            dumps = await self._run(lambda: _orphan_dumps(args))
            return rpc.InvokeResponse(return_value={"dumps": dumps})
        lookup = LOOKUPS_BY_TOKEN.get(request.tok)
        if lookup is None:
            raise BackupsError(f"unknown function {request.tok}")
        answer = await self._run(lambda: lookup.call(args))
        return rpc.InvokeResponse(return_value=to_answer(answer, lookup.secrets))

    async def cancel(self) -> None:
        """Stop every wait now: each raises, naming what it leaves on the server."""
        CANCELLED.set()


def detailed(result: Any, olds: Mapping[str, Any], news: Mapping[str, Any]) -> rpc.DiffResponse:
    """The engine's diff: the changed inputs by schema name, each marked add, update or
    delete, and replace when it replaces, so previews show exactly what changes."""
    replaces = set(result.replaces or [])
    details: dict[str, rpc.PropertyDiff] = {}
    for key in result.changed if isinstance(result, FieldDiff) and result.changes else []:
        if olds.get(key) is None:
            change = "ADD"
        elif news.get(key) is None:
            change = "DELETE"
        else:
            change = "UPDATE"
        if key in replaces:
            change += "_REPLACE"
        details[camel(key)] = rpc.PropertyDiff(rpc.PropertyDiffKind[change], input_diff=True)
    return rpc.DiffResponse(
        changes=bool(result.changes),
        replaces=[camel(k) for k in replaces],
        stables=[camel(k) for k in result.stables or []],
        delete_before_replace=bool(result.delete_before_replace),
        diffs=list(details),
        detailed_diff=details,
    )


def _imported(kind: Kind, provider: Any, resource_id: str) -> dict[str, Any]:
    """The inputs of the object ``resource_id`` names, for ``pulumi import``."""
    try:
        inputs: dict[str, Any] = provider.import_inputs(resource_id)
    except BackupsError as err:
        raise in_resource(f"{kind.name} {resource_id}", "import", err) from err
    return inputs


def _orphan_dumps(args: Mapping[str, Any]) -> PropertyValue:
    """The dumps of a deleted database, newest first; each ``url`` a secret."""
    from ..ovh.orphans import get_orphan_dumps

    dumps = get_orphan_dumps(str(args["service_name"]), str(args["database_name"]))
    marked = [to_engine(dump.model_dump(), ORPHAN_DUMP_SECRETS) for dump in dumps]
    return PropertyValue([PropertyValue(dump) for dump in marked])


MAX_ERROR = 2000
"""Bytes of an error's text the engine receives at most. The text travels percent-encoded in
the ``grpc-message`` trailer (up to 3 characters a byte), and again, with a partial result, in
the status details: the engine refuses trailers past 16 KiB, and shows only "Stream removed"."""


def bounded(text: str, limit: int = MAX_ERROR) -> str:
    """``text`` within ``limit`` UTF-8 bytes: its start and its end (which names the request
    id of the call that failed), the middle cut, saying how much."""
    data = text.encode()
    if len(data) <= limit:
        return text
    tail = limit // 4
    head = limit - tail - 40  # room for the mark
    cut_bytes = len(data) - head - tail
    start = data[:head].decode(errors="ignore")
    end = data[-tail:].decode(errors="ignore")
    return f"{start} ... ({cut_bytes} bytes cut) ... {end}"


class Partial(Exception):
    """A create that made the object ``id`` and did not finish: the engine keeps the object in
    the state with ``properties`` (engine form) and the error as its init error.

    The answer is pulumi's ``ErrorResourceInitFailed`` as a detail of the gRPC status:
    ``parseError`` (pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go) reads it
    in ``Create`` and ``Update`` and returns ``resource.StatusPartialFailure``; the create
    step (``CreateStep.Apply``, pkg/resource/deploy/step.go) then records the object with
    its id, outputs and ``InitErrors``, and fails the deployment with the error."""

    def __init__(self, id_: str, properties: Mapping[str, PropertyValue], message: str) -> None:
        super().__init__(message)
        self.id = id_
        self.properties = dict(properties)

    def trailer(self, message: str) -> tuple[str, bytes]:
        """The ``grpc-status-details-bin`` trailer carrying the partial result."""
        detail = provider_pb2.ErrorResourceInitFailed(
            id=self.id, properties=PropertyValue.marshal_map(self.properties), reasons=[message]
        )
        status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=message)
        status.details.add().Pack(detail)
        return ("grpc-status-details-bin", status.SerializeToString())


def _incomplete(err: BaseException) -> IncompleteCreateError | None:
    """The unfinished create ``err`` reports, if any (providers wrap it, naming the resource)."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, IncompleteCreateError):
            return current
        seen.add(id(current))
        current = getattr(current, "cause", None) or current.__cause__
    return None


def _raised(err: BaseException) -> BaseException:
    """The error an operation raised: the SDK's servicer raises a new one in its place while
    handling it (``_raise_with_traceback``: its message and a Python stack), so that the
    original is the new one's ``__context__``."""
    context = err.__context__
    if type(err) is Exception and context is not None and str(err).startswith(str(context)):
        return context
    return err


class PlainErrors(grpc.aio.ServerInterceptor):  # type: ignore[misc]  # grpc has no types
    """A failure reaches the engine as its message alone (which names the resource, the
    call and the server's message), cut to :data:`MAX_ERROR` bytes; a :class:`Partial` as
    a partial result. The SDK's servicer appends a Python stack to every error, which tells
    a user of the plugin nothing."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        behavior = handler.unary_unary

        async def plain(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            try:
                return await behavior(request, context)
            except (NotImplementedError, grpc.aio.AbortError):
                raise
            except Exception as err:  # everything else is an operation's failure
                raised = _raised(err)
                message = bounded(in_plugin_terms(str(raised).split(STACK)[0]))
                trailers = (raised.trailer(message),) if isinstance(raised, Partial) else ()
                await context.abort(grpc.StatusCode.UNKNOWN, message, trailers)

        return grpc.unary_unary_rpc_method_handler(
            plain,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


STACK = ':\n  File "'
"""Where the SDK's servicer starts the stack it appends to an error's message."""

_PLUGIN_KEYS = {f"`{s.dynamic_key}`": f"`{PACKAGE}:{s.key}`" for s in SETTINGS}
_DYNAMIC_KEY = re.compile("|".join(re.escape(key) for key in _PLUGIN_KEYS))


def in_plugin_terms(message: str) -> str:
    """``message`` with the settings named as a user of the plugin sets them: the settings
    lookups (and their hints) name the dynamic path's stack config keys (`` `vps:apiToken` ``),
    which the plugin's own settings (`` `backups:vpsApiToken` ``) feed."""
    return _DYNAMIC_KEY.sub(lambda match: _PLUGIN_KEYS[match.group(0)], message)


async def serve(version: str, engine_address: str) -> None:
    """Serve the provider on a free loopback port, printed first on stdout (the plugin
    protocol: the engine reads it), until the engine stops the process."""
    server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS, interceptors=[PlainErrors()])
    servicer = ProviderServicer(sys.argv[1:], version, BackupsProvider(), engine_address)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    try:
        await server.wait_for_termination()
    finally:  # stopped by a signal: close the server while its event loop still runs
        await server.stop(None)


def main() -> None:
    """The console script: ``pulumi-resource-backups <engine address>``, as the engine
    starts a plugin (its logging flags are accepted and ignored)."""
    from .schema import package_version

    parser = argparse.ArgumentParser(prog="pulumi-resource-backups")
    parser.add_argument("engine", help="the Pulumi engine's address")
    known, _ = parser.parse_known_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(package_version(), known.engine))
