"""What the sandbox's shared layers know of an emulated API.

Each API package exports one :class:`EmulatedApi` and :mod:`.registry` lists them; the app,
the fault middleware and the admin routes work from these descriptions alone, so none of
them names an API's routes, operations, error shapes or request-id header.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from starlette.responses import Response
from starlette.routing import BaseRoute

from .context import SandboxContext


def _uuid() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class EmulatedApi:
    """One emulated API.

    name: how faults, counters and the admin API name it ("ovh").
    prefixes: the paths it is mounted under ("/1.0").
    routes: its routes, relative to a prefix, bound to a context.
    seed: stores its fixed objects in a fresh store.
    operations: the names of its operations (`POST /_sandbox/outcomes` scripts them).
    settle: applies what time has done by a given instant (ended operations, expiries);
        called inside a store transaction.
    error: its answer, in its own error shape, with a status no handler chose (404 and 405
        for a route it does not serve, 403, 429, 500 and 503) for a request method.
    request_id_header: the header carrying its request ids (default "X-Request-Id").
    new_request_id: a fresh request id, formatted like the real API's (default: a UUID).
    """

    name: str
    prefixes: tuple[str, ...]
    routes: Callable[[SandboxContext], list[BaseRoute]]
    seed: Callable[[SandboxContext], None]
    operations: frozenset[str]
    settle: Callable[[SandboxContext, float], None]
    error: Callable[[int, str], Response]
    request_id_header: str = "X-Request-Id"
    new_request_id: Callable[[], str] = _uuid

    @classmethod
    def of_package(
        cls, name: str, prefix: str, models: ModuleType, responses: ModuleType
    ) -> EmulatedApi:
        """The API of a package laid out as ``models`` (``EFFECTS``, ``seed``, ``settle``) and
        ``responses`` (``routes``, ``standard_response``), served under ``prefix``."""
        return cls(
            name=name,
            prefixes=(prefix,),
            routes=responses.routes,
            seed=models.seed,
            operations=frozenset(models.EFFECTS),
            settle=models.settle,
            error=responses.standard_response,
        )

    def serves(self, path: str) -> bool:
        """Whether a request path falls under one of this API's prefixes."""
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.prefixes)
