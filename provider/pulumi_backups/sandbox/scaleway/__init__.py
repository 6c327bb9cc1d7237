"""Scaleway RDB backups API emulator (`/rdb/v1/regions/{region}/backups`)."""

from __future__ import annotations

from .models import seed
from .responses import routes

__all__ = ["routes", "seed"]
