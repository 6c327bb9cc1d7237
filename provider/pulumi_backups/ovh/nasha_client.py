"""Typed calls on one NAS-HA partition: snapshot schedule, custom snapshots, tasks.

Routes live under ``/dedicated/nasha/{service}/partition/{partition}`` (tasks under
``/dedicated/nasha/{service}/task``). Every change answers a :class:`~.models.NashaTask`;
every call goes through the package's single OVH choke point (:class:`~.client.OvhClient`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..core.errors import NotFoundError
from ..core.waiting import Clock
from .client import OvhClient
from .models import CustomSnapshot, NashaTask


class NashaPartition:
    """The calls this package makes on one partition. Raises the errors of :mod:`core.errors`."""

    def __init__(self, client: OvhClient, service_name: str, partition_name: str) -> None:
        self.client = client
        self.service_name = service_name
        self.partition_name = partition_name
        self._service = f"/dedicated/nasha/{_seg(service_name)}"
        self._path = f"{self._service}/partition/{_seg(partition_name)}"

    def __str__(self) -> str:
        return f"partition {self.partition_name} of NAS-HA {self.service_name}"

    @property
    def clock(self) -> Clock:
        return self.client.clock

    def exists(self) -> bool:
        """Whether the partition exists: False only on a not-found on its own route."""
        try:
            self.client.get(self._path)
        except NotFoundError:
            return False
        return True

    def _task(self, answer: Any) -> NashaTask:
        return NashaTask.from_api(answer)

    def task(self, task_id: int) -> NashaTask:
        """A task of the service (NotFoundError once finished and archived)."""
        return self._task(self.client.get(f"{self._service}/task/{task_id}"))

    # -- automatic snapshot schedule ----------------------------------------------------------

    def snapshot_types(self) -> list[str]:
        """The frequencies scheduled now (NotFoundError when the partition does not exist)."""
        return [str(t) for t in self.client.get(f"{self._path}/snapshot")]

    def add_snapshot_type(self, snapshot_type: str) -> NashaTask:
        """Schedule one more frequency."""
        return self._task(self.client.post(f"{self._path}/snapshot", snapshotType=snapshot_type))

    def remove_snapshot_type(self, snapshot_type: str) -> NashaTask:
        """Unschedule a frequency (NotFoundError when it is not scheduled)."""
        return self._task(self.client.delete(f"{self._path}/snapshot/{_seg(snapshot_type)}"))

    # -- custom snapshots ---------------------------------------------------------------------

    def custom_snapshot_names(self) -> list[str]:
        """The names of the partition's custom snapshots."""
        return [str(n) for n in self.client.get(f"{self._path}/customSnapshot")]

    def custom_snapshot(self, name: str) -> CustomSnapshot:
        """One custom snapshot (NotFoundError once deleted or expired)."""
        return CustomSnapshot.from_api(self.client.get(f"{self._path}/customSnapshot/{_seg(name)}"))

    def find_custom_snapshot(self, name: str) -> CustomSnapshot | None:
        """One custom snapshot, or None on a not-found on its own route."""
        try:
            return self.custom_snapshot(name)
        except NotFoundError:
            return None

    def create_custom_snapshot(self, name: str, expiration: str | None) -> NashaTask:
        """Take a snapshot named ``name`` now."""
        path = f"{self._path}/customSnapshot"
        return self._task(self.client.post(path, name=name, expiration=expiration))

    def delete_custom_snapshot(self, name: str) -> NashaTask:
        """Delete a custom snapshot (NotFoundError when already gone)."""
        return self._task(self.client.delete(f"{self._path}/customSnapshot/{_seg(name)}"))


def _seg(value: str) -> str:
    """One URL path segment (names never smuggle a ``/`` or ``?`` into the path)."""
    return quote(value, safe="")
