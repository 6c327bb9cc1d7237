"""`Sandbox`: a handle on a running sandbox, in this process or elsewhere.

`Sandbox(settings).start()` serves the emulated APIs with uvicorn in a daemon thread on a
free loopback port; `Sandbox.attach(url)` drives one that already runs (e.g. the CLI in a
subprocess). Every control method goes through the admin routes over HTTP, so both kinds
of handle behave the same.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Final

import httpx

from ..ovh.settings import OvhSettings
from .context import SandboxContext
from .settings import CREDENTIALS, SandboxSettings

if TYPE_CHECKING:
    from .server import ThreadedServer

REGION = "fr-par"


def environment(url: str) -> dict[str, str]:
    """The environment variables pointing the provider at a sandbox served at `url`."""
    return {
        "OVH_ENDPOINT": f"{url}/1.0",
        "OVH_APPLICATION_KEY": CREDENTIALS["OVH_APPLICATION_KEY"],
        "OVH_APPLICATION_SECRET": CREDENTIALS["OVH_APPLICATION_SECRET"],
        "OVH_CONSUMER_KEY": CREDENTIALS["OVH_CONSUMER_KEY"],
        "SCW_API_URL": url,
        "SCW_SECRET_KEY": CREDENTIALS["SCW_SECRET_KEY"],
        "SCW_ACCESS_KEY": CREDENTIALS["SCW_ACCESS_KEY"],
        "SCW_DEFAULT_REGION": REGION,
        "SCW_DEFAULT_PROJECT_ID": CREDENTIALS["SCW_DEFAULT_PROJECT_ID"],
        # the official SDK and `scw` send it on every list when a profile has one
        "SCW_DEFAULT_ORGANIZATION_ID": CREDENTIALS["SCW_DEFAULT_ORGANIZATION_ID"],
        "VPS_API_URL": url,
        "VPS_API_TOKEN": CREDENTIALS["VPS_API_TOKEN"],
    }


STACK_KEYS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "ovh:endpoint": "OVH_ENDPOINT",
        "ovh:applicationKey": "OVH_APPLICATION_KEY",
        "ovh:applicationSecret": "OVH_APPLICATION_SECRET",
        "ovh:consumerKey": "OVH_CONSUMER_KEY",
        "scaleway:secretKey": "SCW_SECRET_KEY",
        "scaleway:accessKey": "SCW_ACCESS_KEY",
        "scaleway:apiUrl": "SCW_API_URL",
        "scaleway:region": "SCW_DEFAULT_REGION",
        "scaleway:projectId": "SCW_DEFAULT_PROJECT_ID",
        "vps:apiUrl": "VPS_API_URL",
        "vps:apiToken": "VPS_API_TOKEN",
    }
)
"""Stack config key -> the environment variable of the same setting."""


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket (port 0: a free one); connections queue until served."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted sockets inherit it: without it, Nagle plus delayed ACKs cost ~40 ms a request
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class Sandbox:
    """Handle on one sandbox: start/stop (in-process only) and the admin controls."""

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.settings = settings or SandboxSettings()
        self.context: SandboxContext | None = None  # set once started in this process
        self._url: str | None = None
        self._server: ThreadedServer | None = None
        self._client: httpx.Client | None = None

    @classmethod
    def attach(cls, url: str) -> Sandbox:
        """A handle on a sandbox already served at `url` (start/stop do nothing)."""
        handle = cls()
        handle._url = url.rstrip("/")
        return handle

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> Sandbox:
        """Serve on a free loopback port in a daemon thread; returns once serving."""
        if self._url is not None:
            return self
        from .app import build_app  # the server side needs the `sandbox` extra
        from .server import ThreadedServer

        self.context = SandboxContext(self.settings)
        sock = bind()
        self._server = ThreadedServer(build_app(self.context), sock)
        self._server.start()
        self._url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    def stop(self) -> None:
        """Stop serving (in-process sandbox) and release the state file."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._server is not None:
            self._server.stop()
            self._server = None
            if self.context is not None:
                self.context.store.close()
            self._url = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # addresses ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL, e.g. "http://127.0.0.1:PORT" (RuntimeError when not serving)."""
        if self._url is None:
            raise RuntimeError("the sandbox is not started")
        return self._url

    def env(self) -> dict[str, str]:
        """The environment variables the CLI prints (endpoints and credentials)."""
        return environment(self.url)

    def stack_config(self) -> dict[str, str]:
        """The same settings as Pulumi stack config keys (`ovh:endpoint`, ...)."""
        env = self.env()
        return {key: env[name] for key, name in STACK_KEYS.items()}

    def ovh_settings(self) -> OvhSettings:
        """OVHcloud settings pointing at this sandbox, as the provider resolves them."""
        env = self.env()
        return OvhSettings(
            env["OVH_ENDPOINT"],
            application_key=env["OVH_APPLICATION_KEY"],
            application_secret=env["OVH_APPLICATION_SECRET"],
            consumer_key=env["OVH_CONSUMER_KEY"],
        )

    # admin -------------------------------------------------------------------------------
    def _admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if self._client is None:
            self._client = httpx.Client(base_url=self.url, timeout=30.0)
        response = self._client.request(method, f"/_sandbox{path}", json=body)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Wipe state, re-seed; restore start config; clear counters, outcomes, faults, clock."""
        self._admin("POST", "/reset")

    def config(self) -> dict[str, float]:
        """The run-time config (task_seconds, archive_seconds, latency_ms, rates)."""
        result: dict[str, float] = self._admin("GET", "/config")
        return result

    def configure(self, **changes: float) -> dict[str, float]:
        """Change part of the run-time config; returns all of it."""
        result: dict[str, float] = self._admin("PUT", "/config", changes)
        return result

    def counters(self) -> dict[str, int]:
        """Requests per route ("METHOD /route/template") since the last clear."""
        result: dict[str, int] = self._admin("GET", "/counters")
        return result

    def clear_counters(self) -> None:
        self._admin("DELETE", "/counters")

    def advance(self, seconds: float) -> float:
        """Move the sandbox clock forward; returns the new sandbox time (epoch seconds)."""
        return float(self._admin("POST", "/advance", {"seconds": seconds})["clock"])

    def script(self, operation: str, outcome: str, count: int = 1) -> None:
        """Make the next `count` operations named `operation` "fail" or "hang"."""
        body = {"operation": operation, "outcome": outcome, "count": count}
        self._admin("POST", "/outcomes", body)

    def fault(
        self, kind: str, route: str | None = None, *, api: str | None = None, count: int | None = 1
    ) -> None:
        """Answer the next `count` requests to `route` ("METHOD /route/template", as counted)
        or, without a route, to `api` with `kind`: "500", "503", "429", "403", "html404" (a
        proxy's page), "lost-500" or "lost-drop" (carried out, answer lost); None: every one."""
        body = {"kind": kind, "route": route, "api": api, "count": count}
        self._admin("POST", "/faults", body)

    def faults(self) -> list[dict[str, Any]]:
        """Targeted faults still waiting."""
        result: list[dict[str, Any]] = self._admin("GET", "/faults")
        return result

    def clear_faults(self) -> None:
        self._admin("DELETE", "/faults")

    def collected(self) -> list[dict[str, Any]]:
        """Requests that followed a ``redirect`` lie to another host name (method, path,
        headers, body): whatever a client sent where it should never have."""
        result: list[dict[str, Any]] = self._admin("GET", "/collected")
        return result

    def objects(self) -> dict[str, dict[str, Any]]:
        """Every stored object, `{kind: {key: doc}}`."""
        result: dict[str, dict[str, Any]] = self._admin("GET", "/objects")
        return result
