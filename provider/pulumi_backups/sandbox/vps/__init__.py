"""VPS panel backups API emulator (`/api/v1/backups/`, `/api/v1/servers/{id}/`), as :data:`API`."""

from __future__ import annotations

from ..emulated import EmulatedApi
from . import models, responses

API = EmulatedApi.of_package("vps", "/api/v1", models, responses)
"""The VPS panel API as the sandbox serves it."""

__all__ = ["API"]
