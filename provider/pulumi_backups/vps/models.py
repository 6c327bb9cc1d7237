"""Typed views of the VPS panel's wire objects, and the integer ids its routes take.

The panel documents one backup shape (list and create answers share it), a restore answer and
a server. Every model ignores keys it does not know, so a panel that adds fields keeps working;
``from_api`` is the only way wire payloads enter the package.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from typing_extensions import Self

BACKUP_DONE = "completed"
BACKUP_FAILED = frozenset({"failed", "error"})
SERVER_RUNNING = "running"
SERVER_FAILED = frozenset({"failed", "error"})
RESTORE_IN_PROGRESS = frozenset({"restoring", "in_progress", "pending"})


class _ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse a wire payload (a JSON object) into the model."""
        return cls.model_validate(data)


class ServerRef(_ApiModel):
    """The ``server`` object nested in a backup."""

    id: int
    name: str | None = None


class Backup(_ApiModel):
    """A backup as listed or created: ``status`` in_progress -> completed (or failed/error).

    ``size_mb`` is null while in progress; ``expires_at`` is null for manual backups.
    """

    id: int
    server: ServerRef
    backup_type: str | None = None
    status: str
    size_mb: float | None = None
    created_at: str | None = None
    expires_at: str | None = None
    description: str | None = None
    message: str | None = None

    @property
    def done(self) -> bool:
        return self.status == BACKUP_DONE

    @property
    def failed(self) -> bool:
        return self.status in BACKUP_FAILED

    def outputs(self) -> dict[str, Any]:
        """The resource outputs of ``VpsBackup`` taken from this backup."""
        size = self.size_mb
        return {
            "backup_id": self.id,
            "backup_type": self.backup_type,
            "status": self.status,
            "size_mb": int(size) if size is not None and size.is_integer() else size,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "server_name": self.server.name,
        }


class Server(_ApiModel):
    """A server as ``GET /api/v1/servers/{id}/`` returns it."""

    id: int
    name: str | None = None
    status: str | None = None


class RestoreAnswer(_ApiModel):
    """The answer to ``POST /api/v1/servers/{id}/restore/`` (202, ``status`` restoring)."""

    status: str | None = None
    message: str | None = None

    @property
    def in_progress(self) -> bool:
        """Whether the panel says the server is still being restored."""
        return (self.status or "").lower() in RESTORE_IN_PROGRESS
