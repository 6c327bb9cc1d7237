"""The emulated APIs the sandbox serves: the one place that lists them.

A new API is a package exporting an :class:`~.emulated.EmulatedApi` named ``API``, added here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from . import ovh, scaleway, vps
from .context import SandboxContext
from .emulated import EmulatedApi

APIS: Final[Mapping[str, EmulatedApi]] = MappingProxyType(
    {api.name: api for api in (ovh.API, scaleway.API, vps.API)}
)
"""Every emulated API by name, in mounting order."""

OPERATIONS: Final[frozenset[str]] = frozenset().union(*(api.operations for api in APIS.values()))
"""Every operation name an outcome can be scripted for."""


def api_for(path: str) -> EmulatedApi | None:
    """The API serving a request path, or None (admin routes, unknown paths)."""
    return next((api for api in APIS.values() if api.serves(path)), None)


def settle(ctx: SandboxContext, now: float) -> None:
    """Bring every API's objects up to ``now`` (inside a store transaction)."""
    for api in APIS.values():
        api.settle(ctx, now)
