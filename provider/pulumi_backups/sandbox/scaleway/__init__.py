"""Scaleway RDB backups API emulator (`/rdb/v1/regions/{region}/backups`), as :data:`API`."""

from __future__ import annotations

from ..emulated import EmulatedApi
from .models import EFFECTS, seed, settle
from .responses import routes, standard_response

API = EmulatedApi(
    name="scaleway",
    prefixes=("/rdb/v1",),
    routes=routes,
    seed=seed,
    operations=frozenset(EFFECTS),
    settle=settle,
    error=standard_response,
)
"""The Scaleway RDB API as the sandbox serves it."""

__all__ = ["API"]
