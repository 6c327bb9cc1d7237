"""Typed NAS-HA objects: tasks, custom snapshots, and the frequencies a schedule can hold.

NAS-HA tasks carry ``taskId`` (not ``id``) and fail with cancelled, customerError or
ovhError; their ``operation`` and ``details`` go into the error. Like every OVHcloud task
(:class:`~pulumi_backups.ovh.models.Task`), a finished one is archived after a while and then
answers 404, taken as finished. Each model reads its wire object in ``from_api`` (only
properties of the published model: ``tests/contract`` checks it): no Pulumi, no HTTP.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from ..models import Task

#: Automatic snapshot frequencies, shortest period first.
SNAPSHOT_TYPES = ("hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7")
#: The default schedule plus up to 3 added frequencies.
MAX_SNAPSHOT_TYPES = 4

NASHA_FAILED = frozenset({"cancelled", "customerError", "ovhError"})


class NashaTask(Task):
    """A NAS-HA task (model ``dedicated.nasTask.Task``): ``taskId``, ``operation``."""

    operation: str | None = None
    details: str | None = None
    partition_name: str | None = None
    failed_statuses: ClassVar[frozenset[str]] = NASHA_FAILED

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> NashaTask:
        return cls(
            id=body["taskId"],
            status=body["status"],
            operation=body.get("operation"),
            details=body.get("details"),
            partition_name=body.get("partitionName"),
        )

    def identity(self) -> dict[str, object]:
        """What never changes in the task's life, as far as it is known."""
        known = {"id": self.id, "operation": self.operation, "partitionName": self.partition_name}
        return {k: v for k, v in known.items() if v is not None}

    @property
    def detail(self) -> str:
        return self.details or ""


class CustomSnapshot(BaseModel):
    """A custom snapshot as the API stores it; ``expiration`` is None when it never expires."""

    name: str
    expiration: str | None

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> CustomSnapshot:
        return cls(name=body["name"], expiration=body.get("expiration") or None)
