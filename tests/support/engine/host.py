"""The SDK's real dynamic provider host, spawned and spoken to over gRPC like the engine does.

`ProviderHost` runs `python -u -m pulumi.dynamic` (what the engine's
`pulumi-resource-pulumi-python` launcher runs), reads the port it prints, and calls its
ResourceProvider service with the SDK's own stubs. Property bags go in and come out in wire
form (see `values`): secrets are revealed before sending, as the engine does for a provider
that declines secrets; unknowns are only allowed where the engine allows them (Check and Diff
with `allow_unknowns`: in a preview, and the Diff of a dependent replacement). Everything the
host prints is captured in `output`.

The host serves gRPC from a pool of `HOST_THREADS` threads (`pulumi/dynamic/__main__.py`):
calls beyond that wait in its queue. `ProviderHost` holds them client-side instead, so that
`max_in_flight` counts the calls the host actually runs at once, whatever the engine's
`--parallel` sends.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any

import grpc
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from .values import (
    Props,
    config_text,
    contains_unknown,
    from_struct,
    is_secret,
    reveal,
    secret,
    to_struct,
)

HOST_THREADS = 4
"""`python -m pulumi.dynamic` serves gRPC with `ThreadPoolExecutor(max_workers=4)`."""

PROVIDER_TYPE = "pulumi:providers:pulumi-python"

_CHANGES = {
    provider_pb2.DiffResponse.DIFF_NONE: "none",
    provider_pb2.DiffResponse.DIFF_SOME: "some",
    provider_pb2.DiffResponse.DIFF_UNKNOWN: "unknown",
}


class HostError(Exception):
    """A host call failed; `message` is what the host aborted with (usually a traceback);
    `partial` the partial result the status details carry (`ErrorResourceInitFailed`: a
    create that made its object and did not finish), as the engine's `parseError` reads it."""

    def __init__(
        self,
        method: str,
        code: str,
        message: str,
        partial: provider_pb2.ErrorResourceInitFailed | None = None,
    ) -> None:
        super().__init__(f"{method} failed ({code}): {message}")
        self.method = method
        self.code = code
        self.message = message
        self.partial = partial


def _partial(error: grpc.RpcError) -> provider_pb2.ErrorResourceInitFailed | None:
    """The `ErrorResourceInitFailed` among the details of a failed call's status, if any."""
    from pulumi.runtime.proto import status_pb2

    for key, value in error.trailing_metadata() or ():  # type: ignore[attr-defined]
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            found = provider_pb2.ErrorResourceInitFailed()
            if detail.Unpack(found):
                return found
    return None


@dataclass
class CheckResponse:
    """Checked inputs (wire form) and `(property, reason)` failures."""

    inputs: Props
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DiffResponse:
    """`changes` is "none", "some" or "unknown" (the provider's diff left `changes` unset)."""

    changes: str
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    detailed: dict[str, str] | None = None
    """Property -> "ADD", "UPDATE_REPLACE", ... when the provider gives a detailed diff."""


@dataclass
class ReadResponse:
    """`id` is "" when the resource is gone; `inputs` is None unless the provider returned some."""

    id: str
    outputs: Props
    inputs: Props | None = None


def default_provider_inputs(config: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> Props:
    """The inputs the engine gives the dynamic resources' default provider: the whole stack
    config, keys kept namespaced ("ovh:endpoint"), values as text, secret keys as secrets
    (Target.GetPackageConfig in pkg/resource/deploy/target.go, for the dynamic packages)."""
    hidden = set(secret_keys)
    return {k: secret(config_text(v)) if k in hidden else config_text(v) for k, v in config.items()}


def _urn_parts(urn: str) -> tuple[str, str]:
    parts = urn.split("::")
    return parts[2].split("$")[-1], parts[-1]


DYNAMIC_HOST = (sys.executable, "-u", "-m", "pulumi.dynamic")
"""What the engine's `pulumi-resource-pulumi-python` launcher runs."""


class ProviderHost:
    """One provider process (by default `python -m pulumi.dynamic`); close it (or use
    `with`) when done.

    `env` is added to os.environ for the child; `pythonpath` entries are put in front of
    PYTHONPATH so that providers pickled by reference can be imported by the host. `command`
    runs another plugin (the engine passes its own address as the last argument), whose
    resources are of `provider_type`; `slots` is how many calls it runs at once.
    """

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        pythonpath: Iterable[str] = (),
        start_timeout: float = 30.0,
        call_timeout: float = 120.0,
        command: Sequence[str] = DYNAMIC_HOST,
        provider_type: str = PROVIDER_TYPE,
        slots: int = HOST_THREADS,
    ) -> None:
        child_env = {**os.environ, **(env or {})}
        paths = [*pythonpath, child_env.get("PYTHONPATH", "")]
        child_env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        self._call_timeout = call_timeout
        self.provider_type = provider_type
        self._slots = threading.BoundedSemaphore(slots)
        self._busy_lock = threading.Lock()
        self._busy = 0
        self.max_in_flight = 0
        """The most calls the host ran at once."""
        self._chunks: list[str] = []
        self._chunks_lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._proc = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env,
        )
        port_line: queue.Queue[str] = queue.Queue()
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._pump, args=(self._proc.stdout, port_line), daemon=True),
            threading.Thread(target=self._pump, args=(self._proc.stderr, None), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        try:
            self._connect(port_line, start_timeout)
        except BaseException:
            self.close()
            raise

    def _pump(self, stream: IO[bytes], port_line: queue.Queue[str] | None) -> None:
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace")
            if port_line is not None:
                port_line.put(text)
                port_line = None
                continue
            with self._chunks_lock:
                self._chunks.append(text)
        if port_line is not None:
            port_line.put("")

    def _connect(self, port_line: queue.Queue[str], timeout: float) -> None:
        try:
            first = port_line.get(timeout=timeout).strip()
        except queue.Empty:
            first = ""
        if not first.isdigit():
            self._proc.kill()
            self._proc.wait()
            for reader in self._readers:
                reader.join(timeout)
            raise HostError("start", "NO_PORT", f"host printed {first!r}; output:\n{self.output}")
        self._channel = grpc.insecure_channel(f"127.0.0.1:{first}", options=_GRPC_CHANNEL_OPTIONS)
        grpc.channel_ready_future(self._channel).result(timeout=timeout)
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    @property
    def output(self) -> str:
        """Everything the host wrote to stdout (after the port line) and stderr so far."""
        with self._chunks_lock:
            return "".join(self._chunks)

    @property
    def pid(self) -> int:
        """The host's process id."""
        return self._proc.pid

    def shut_down(self) -> None:
        """As the engine ends a command: Cancel (its failure ignored), then kill."""
        if self._channel is not None and self._proc.poll() is None:
            with contextlib.suppress(grpc.RpcError):
                self.cancel()
        self.close()

    def close(self) -> None:
        """Kill the host (the engine does not let provider hosts outlive a command)."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for reader in self._readers:
            reader.join(5)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> ProviderHost:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, method: str, request: Any) -> Any:
        with self._slots:  # a free thread of the host's pool
            with self._busy_lock:
                self._busy += 1
                self.max_in_flight = max(self.max_in_flight, self._busy)
            try:
                return getattr(self._stub, method)(request, timeout=self._call_timeout)
            except grpc.RpcError as exc:
                code = exc.code().name if exc.code() is not None else "UNKNOWN"
                raise HostError(method, code, exc.details() or "", _partial(exc)) from None
            finally:
                with self._busy_lock:
                    self._busy -= 1

    @staticmethod
    def _marshal(props: Props, keep_unknowns: bool) -> Any:
        if not keep_unknowns and contains_unknown(props):
            raise ValueError("unknown values may only reach a provider where the engine allows")
        return to_struct(reveal(props))

    def configure(self, config: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> None:
        """Configure the host with stack config (`"ovh:endpoint"`-style keys), as the engine
        configures the default provider it registers for that config (secret keys as secrets,
        which the host unwraps)."""
        self.configure_provider(default_provider_inputs(config, secret_keys))

    def configure_provider(self, inputs: Props, urn: str = "", *, check: bool = True) -> None:
        """Configure with the default provider's inputs, as `provider.Configure`
        (pkg/resource/plugin/provider_plugin.go) sends them: `args` the inputs with secrets
        kept, `variables` each input as plain text under `<package>:config:<key>`.

        `check`: CheckConfig first, as the engine does when a program registers the provider
        (preview, up; not refresh nor destroy, which configure it from the state): its
        failures are raised, a host without it (UNIMPLEMENTED) is configured all the same."""
        if check:
            self._check_config(inputs, urn)
        package = self.provider_type.rsplit(":", 1)[-1]
        variables = {
            f"{package}:config:{k}": str(reveal(v)) for k, v in inputs.items() if k != "version"
        }
        args = {k: v if is_secret(v) else reveal(v) for k, v in inputs.items()}
        request = provider_pb2.ConfigureRequest(
            variables=variables,
            args=to_struct(args),
            acceptSecrets=True,
            acceptResources=True,
            sends_old_inputs=True,
            sends_old_inputs_to_delete=True,
            name="default",
            type=self.provider_type,
            **({"urn": urn} if urn else {}),
        )
        self._call("Configure", request)

    def _check_config(self, inputs: Props, urn: str) -> None:
        request = provider_pb2.CheckRequest(
            urn=urn or f"urn:pulumi:dev::project::{self.provider_type}::default",
            name="default",
            type=self.provider_type,
            olds=to_struct({}),
            news=to_struct(reveal(inputs)),
        )
        try:
            response = self._call("CheckConfig", request)
        except HostError as exc:
            if exc.code == "UNIMPLEMENTED":
                return
            raise
        if response.failures:
            failures = "; ".join(f"{f.property}: {f.reason}" for f in response.failures)
            raise HostError("CheckConfig", "FAILURES", failures)

    def check(
        self,
        urn: str,
        olds: Props,
        news: Props,
        *,
        allow_unknowns: bool = False,
        old_outputs: Props | None = None,
    ) -> CheckResponse:
        """Check(olds=old inputs or {}, news=program inputs, old_outputs=stored outputs or
        {}): the engine sends old outputs too (its Handshake says sendsOldOutputsToCheck)."""
        type_, name = _urn_parts(urn)
        request = provider_pb2.CheckRequest(
            urn=urn,
            name=name,
            type=type_,
            olds=self._marshal(olds, allow_unknowns),
            news=self._marshal(news, allow_unknowns),
            old_outputs=self._marshal(old_outputs or {}, False),
            randomSeed=os.urandom(32),
        )
        response = self._call("Check", request)
        failures = [(f.property, f.reason) for f in response.failures]
        return CheckResponse(from_struct(response.inputs), failures)

    def diff(
        self,
        urn: str,
        id_: str,
        olds: Props,
        news: Props,
        *,
        old_inputs: Props | None = None,
        ignore_changes: Iterable[str] = (),
        allow_unknowns: bool = False,
    ) -> DiffResponse:
        """Diff(id, olds=old outputs, news=checked inputs)."""
        type_, name = _urn_parts(urn)
        request = provider_pb2.DiffRequest(
            id=id_,
            urn=urn,
            name=name,
            type=type_,
            olds=self._marshal(olds, allow_unknowns),
            news=self._marshal(news, allow_unknowns),
            old_inputs=self._marshal(old_inputs or {}, allow_unknowns),
            ignoreChanges=list(ignore_changes),
        )
        response = self._call("Diff", request)
        detailed = None
        if response.hasDetailedDiff:
            kinds = provider_pb2.PropertyDiff.Kind
            detailed = {k: kinds.Name(v.kind) for k, v in response.detailedDiff.items()}
        return DiffResponse(
            _CHANGES.get(response.changes, "unknown"),
            list(response.replaces),
            bool(response.deleteBeforeReplace),
            detailed,
        )

    def create(self, urn: str, news: Props, *, timeout: float = 0) -> tuple[str, Props]:
        """Create(checked inputs) -> (id, outputs); `timeout`: the resource's custom timeout
        (`customTimeouts.create`, seconds; 0 = none)."""
        type_, name = _urn_parts(urn)
        request = provider_pb2.CreateRequest(
            urn=urn, name=name, type=type_, properties=self._marshal(news, False), timeout=timeout
        )
        response = self._call("Create", request)
        return response.id, from_struct(response.properties)

    def read(self, urn: str, id_: str, props: Props, inputs: Props | None) -> ReadResponse:
        """Read(id, properties=old outputs, inputs=old inputs), as a refresh sends it (for the
        import of a pending create, `props` is empty: nothing but the inputs was recorded);
        `inputs` None: no inputs at all, as `pulumi import` sends it (see `import_read`)."""
        type_, name = _urn_parts(urn)
        request = provider_pb2.ReadRequest(
            id=id_,
            urn=urn,
            name=name,
            type=type_,
            properties=self._marshal(props, False),
            **({} if inputs is None else {"inputs": self._marshal(inputs, False)}),
        )
        response = self._call("Read", request)
        inputs_back = from_struct(response.inputs) if response.HasField("inputs") else None
        return ReadResponse(response.id, from_struct(response.properties), inputs_back)

    def import_read(self, urn: str, id_: str) -> ReadResponse:
        """Read(id) as `pulumi import` sends it: empty properties and no inputs field at all
        (the engine tier's gRPC log of the CLI v3.276 shows it)."""
        return self.read(urn, id_, {}, None)

    def update(
        self, urn: str, id_: str, olds: Props, news: Props, *, old_inputs: Props | None = None
    ) -> Props:
        """Update(id, olds=old outputs, news=checked inputs) -> outputs."""
        type_, name = _urn_parts(urn)
        request = provider_pb2.UpdateRequest(
            id=id_,
            urn=urn,
            name=name,
            type=type_,
            olds=self._marshal(olds, False),
            news=self._marshal(news, False),
            old_inputs=self._marshal(old_inputs or {}, False),
        )
        return from_struct(self._call("Update", request).properties)

    def delete(self, urn: str, id_: str, props: Props, *, old_inputs: Props | None = None) -> None:
        """Delete(id, properties=old outputs)."""
        type_, name = _urn_parts(urn)
        request = provider_pb2.DeleteRequest(
            id=id_,
            urn=urn,
            name=name,
            type=type_,
            properties=self._marshal(props, False),
            old_inputs=self._marshal(old_inputs or {}, False),
        )
        self._call("Delete", request)

    def get_schema(self) -> str:
        """GetSchema() -> the package schema (JSON text)."""
        return str(self._call("GetSchema", provider_pb2.GetSchemaRequest(version=0)).schema)

    def invoke(self, token: str, args: Props) -> Props:
        """Invoke(tok, args) -> return values; failures are raised as a HostError."""
        request = provider_pb2.InvokeRequest(tok=token, args=self._marshal(args, False))
        response = self._call("Invoke", request)
        if response.failures:
            failures = "; ".join(f"{f.property}: {f.reason}" for f in response.failures)
            raise HostError("Invoke", "FAILURES", failures)
        return from_struct(getattr(response, "return"))

    def cancel(self) -> None:
        """Cancel(): the engine's signal that the deployment stops (Ctrl-C; and at the end of
        every command). On a self-managed backend `pulumi cancel` only removes the lock."""
        from google.protobuf import empty_pb2

        self._stub.Cancel(empty_pb2.Empty(), timeout=self._call_timeout)
