"""Scaleway RDB backups API emulator (`/rdb/v1/regions/{region}/backups`), as :data:`API`."""

from __future__ import annotations

from ..emulated import EmulatedApi
from . import models, responses

API = EmulatedApi.of_package("scaleway", "/rdb/v1", models, responses)
"""The Scaleway RDB API as the sandbox serves it."""

__all__ = ["API"]
