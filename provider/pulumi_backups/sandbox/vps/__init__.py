"""VPS panel backups API emulator (`/api/v1/backups/`, `/api/v1/servers/{id}/`)."""

from __future__ import annotations

from .models import seed
from .responses import routes

__all__ = ["routes", "seed"]
