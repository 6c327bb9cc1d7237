"""VPS panel backups API emulator (`/api/v1/backups/`, `/api/v1/servers/{id}/`), as :data:`API`."""

from __future__ import annotations

from ..emulated import EmulatedApi
from .models import EFFECTS, seed, settle
from .responses import routes, standard_response

API = EmulatedApi(
    name="vps",
    prefixes=("/api/v1",),
    routes=routes,
    seed=seed,
    operations=frozenset(EFFECTS),
    settle=settle,
    error=standard_response,
)
"""The VPS panel API as the sandbox serves it."""

__all__ = ["API"]
