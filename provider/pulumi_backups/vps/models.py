"""Typed views of the VPS panel's wire objects, and the requests sent to it.

The panel documents one backup shape (list and create answers share it), a restore answer and
a server. Every model ignores keys it does not know, so a panel that adds fields keeps working;
``from_api`` is the only way wire payloads enter the package, ``to_api`` the only way request
bodies leave it. :class:`Restore` is no wire object: it is what a restore operation reports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import Self

BACKUP_DONE = "completed"
BACKUP_FAILED = frozenset({"failed", "error"})
SERVER_RUNNING = "running"
SERVER_FAILED = frozenset({"failed", "error"})
RESTORE_IN_PROGRESS = frozenset({"restoring", "in_progress", "pending"})
RESTORE_DONE = "completed"
NOT_AWAITED = "restoring (not awaited: the panel offers no server status route)"


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

    @property
    def detail(self) -> str:
        return self.message or ""

    def identity(self) -> dict[str, object]:
        """What says which backup this is, beside its id: its server and description."""
        return {"server": self.server.id, "description": self.description or ""}


class BackupPage(_ApiModel):
    """One page of a backup listing, Django REST framework's page-number pagination:
    ``count`` is the length of the whole listing (every page says the same while nothing
    changes), ``next`` the link to the next page, null on the last (absent in the docs'
    example: the same)."""

    count: int = Field(ge=0)
    next: str | None = None
    results: list[Backup]


class Server(_ApiModel):
    """A server as the panel's server route returns it."""

    id: int
    name: str | None = None
    status: str | None = None


class RestoreAnswer(_ApiModel):
    """The answer to a restore request (202, ``status`` restoring); the sandbox, like a DRF
    serializer of the request, also names the server and the backup."""

    status: str | None = None
    message: str | None = None
    server_id: int | None = None
    backup_id: int | None = None

    @property
    def in_progress(self) -> bool:
        """Whether the panel says the server is still being restored."""
        return (self.status or "").lower() in RESTORE_IN_PROGRESS


class CreateBackupRequest(BaseModel):
    """A manual backup to start: ``server_id``, and a ``description`` when one is given."""

    model_config = ConfigDict(frozen=True)

    server_id: int
    description: str | None = None

    def identity(self) -> dict[str, object]:
        """What the backup made on this request says of itself (:meth:`Backup.identity`):
        no description is an empty one."""
        return {"server": self.server_id, "description": self.description or ""}

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"server_id": self.server_id}
        if self.description is not None:
            body["description"] = self.description
        return body


class RestoreRequest(BaseModel):
    """A restore of server ``server_id`` (named by the route) from ``backup_id`` (the body)."""

    model_config = ConfigDict(frozen=True)

    server_id: int
    backup_id: int

    def to_api(self) -> dict[str, Any]:
        return {"backup_id": self.backup_id}


class Restore(BaseModel):
    """A restore as it ended: asked for at ``started_at`` (the client's wall clock);
    ``status`` is :data:`RESTORE_DONE` once the server runs again, the panel's own status when
    it reported the restore finished at once, or :data:`NOT_AWAITED`."""

    model_config = ConfigDict(frozen=True)

    server_id: int
    backup_id: int
    started_at: datetime
    status: str
