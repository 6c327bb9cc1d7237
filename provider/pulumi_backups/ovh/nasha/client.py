"""Typed calls on one NAS-HA partition: snapshot schedule, custom snapshots, tasks.

Routes live under ``/dedicated/nasha/{service}/partition/{partition}`` (tasks under
``/dedicated/nasha/{service}/task``). Every change answers a :class:`~.models.NashaTask`;
every call goes through OVHcloud's single choke point
(:class:`~pulumi_backups.ovh.client.OvhClient`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from ...core.answers import parsed, same_object
from ...core.errors import ApiError, NotFoundError, with_note
from ...core.waiting import Clock
from ..client import OvhClient
from ..models import listed_names
from .models import CustomSnapshot, NashaTask

M = TypeVar("M")


class NashaPartition:
    """The calls this package makes on one partition. Raises the errors of :mod:`core.errors`;
    an answer the models refuse, or one about another object, is an ApiError."""

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

    def _get(self, path: str, build: Callable[[Any], M]) -> M:
        return parsed(f"GET {path}", build, self.client.get(path))

    def _task(self, method: str, path: str, answer: Any) -> NashaTask:
        return parsed(f"{method} {path}", NashaTask.from_api, answer)

    def _created(self, path: str, listing: str, **body: Any) -> NashaTask:
        """POST a create; a lost or unusable answer names ``listing``, where it shows."""
        try:
            return self._task("POST", path, self.client.post(path, **body))
        except ApiError as err:
            if not err.may_have_acted:
                raise
            raise with_note(err, f"what it made, if anything, is listed by GET {listing}") from err

    def exists(self) -> bool:
        """Whether the partition exists: False only on a not-found on its own route."""
        try:
            self.client.get(self._path)
        except NotFoundError:
            return False
        return True

    def task(self, task_id: int) -> NashaTask:
        """A task of the service (NotFoundError once finished and archived)."""
        return self.follow(NashaTask(id=task_id, status="?"))

    def follow(self, task: NashaTask) -> NashaTask:
        """``task`` as it is now (NotFoundError once archived); an answer about another task
        (another id, operation or partition) is an ApiError."""
        path = f"{self._service}/task/{task.id}"
        now = self._get(path, NashaTask.from_api)
        same_object(f"GET {path}", f"NAS-HA task #{task.id}", task.identity(), now.identity())
        return now

    # -- automatic snapshot schedule ----------------------------------------------------------

    def snapshot_types(self) -> list[str]:
        """The frequencies scheduled now (NotFoundError when the partition does not exist)."""
        return self._get(f"{self._path}/snapshot", listed_names)

    def has_snapshot_type(self, snapshot_type: str) -> bool:
        """Whether ``snapshot_type`` is scheduled: False only on a not-found on its own route."""
        path = f"{self._path}/snapshot/{_seg(snapshot_type)}"
        try:
            found = self._get(path, lambda body: str(body["snapshotType"]))
        except NotFoundError:
            return False
        asked = {"snapshotType": snapshot_type}
        same_object(f"GET {path}", f"frequency {snapshot_type}", asked, {"snapshotType": found})
        return True

    def add_snapshot_type(self, snapshot_type: str) -> NashaTask:
        """Schedule one more frequency."""
        path = f"{self._path}/snapshot"
        return self._created(path, path, snapshotType=snapshot_type)

    def remove_snapshot_type(self, snapshot_type: str) -> NashaTask:
        """Unschedule a frequency (NotFoundError when it is not scheduled)."""
        path = f"{self._path}/snapshot/{_seg(snapshot_type)}"
        return self._task("DELETE", path, self.client.delete(path))

    # -- custom snapshots ---------------------------------------------------------------------

    def custom_snapshot_names(self) -> list[str]:
        """The names of the partition's custom snapshots."""
        return self._get(f"{self._path}/customSnapshot", listed_names)

    def custom_snapshot(self, name: str) -> CustomSnapshot:
        """One custom snapshot (NotFoundError once deleted or expired); an answer about
        another snapshot is an ApiError."""
        path = f"{self._path}/customSnapshot/{_seg(name)}"
        snapshot = self._get(path, CustomSnapshot.from_api)
        same_object(f"GET {path}", f"snapshot {name}", {"name": name}, {"name": snapshot.name})
        return snapshot

    def find_custom_snapshot(self, name: str) -> CustomSnapshot | None:
        """One custom snapshot, or None on a not-found on its own route."""
        try:
            return self.custom_snapshot(name)
        except NotFoundError:
            return None

    def create_custom_snapshot(self, name: str, expiration: str | None) -> NashaTask:
        """Take a snapshot named ``name`` now."""
        path = f"{self._path}/customSnapshot"
        return self._created(path, path, name=name, expiration=expiration)

    def delete_custom_snapshot(self, name: str) -> NashaTask:
        """Delete a custom snapshot (NotFoundError when already gone)."""
        path = f"{self._path}/customSnapshot/{_seg(name)}"
        return self._task("DELETE", path, self.client.delete(path))


def _seg(value: str) -> str:
    """One URL path segment (names never smuggle a ``/`` or ``?`` into the path)."""
    return quote(value, safe="")
