"""Typed calls of the OVHcloud web-hosting API: databases, dumps, restores and their tasks.

:class:`HostingApi` builds the ``/hosting/web/{serviceName}/...`` paths and turns the wire
objects into the models of :mod:`.models`; every call goes through the package's single OVH
choke point (:class:`~pulumi_backups.ovh.client.OvhClient`), which signs, retries and maps
errors. Every mutating call answers a :class:`~.models.HostingTask`.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import NotFoundError
from ..core.waiting import Clock
from .client import OvhClient
from .models import Database, Dump, HostingTask, ServiceDump


class HostingApi:
    """The routes of one web-hosting service (``service_name``) that this package uses."""

    def __init__(self, client: OvhClient, service_name: str) -> None:
        self.client = client
        self.service_name = service_name
        self.base = f"/hosting/web/{service_name}"

    @property
    def clock(self) -> Clock:
        return self.client.clock

    def _task(self, answer: Any) -> HostingTask:
        return HostingTask.from_api(answer)

    def task(self, task_id: int) -> HostingTask:
        """A task of the service (NotFoundError once finished and archived)."""
        return self._task(self.client.get(f"{self.base}/tasks/{task_id}"))

    # -- databases ----------------------------------------------------------------------------

    def database_names(self, user: str | None = None) -> list[str]:
        """Names of the service's databases (of ``user`` only, when given)."""
        return [str(n) for n in self.client.get(f"{self.base}/database", user=user)]

    def database(self, name: str) -> Database:
        return Database.from_api(self.client.get(f"{self.base}/database/{name}"))

    def find_database(self, name: str) -> Database | None:
        """The database, or None when the service has none of that name."""
        try:
            return self.database(name)
        except NotFoundError:
            return None

    def create_database(self, body: dict[str, Any]) -> HostingTask:
        """Start creating a database; the answer is a task, not the database's name."""
        return self._task(self.client.post(f"{self.base}/database", **body))

    def change_password(self, name: str, password: str) -> HostingTask:
        path = f"{self.base}/database/{name}/changePassword"
        return self._task(self.client.post(path, password=password))

    def delete_database(self, name: str) -> HostingTask:
        return self._task(self.client.delete(f"{self.base}/database/{name}"))

    def restore_backup(self, name: str, date: str, send_email: bool = False) -> HostingTask:
        """Restore an automatic backup (``daily.1``, ``weekly.1``, ``now``) of ``name``."""
        path = f"{self.base}/database/{name}/restore"
        return self._task(self.client.post(path, date=date, sendEmail=send_email))

    # -- dumps of an existing database --------------------------------------------------------

    def dump_ids(self, name: str, created_from: str | None = None) -> list[int]:
        """Ids of the finished dumps of ``name`` (created at or after ``created_from``)."""
        found = self.client.get(
            f"{self.base}/database/{name}/dump", **{"creationDate.from": created_from}
        )
        return [int(i) for i in found]

    def dump(self, name: str, dump_id: int) -> Dump:
        return Dump.from_api(self.client.get(f"{self.base}/database/{name}/dump/{dump_id}"))

    def find_dump(self, name: str, dump_id: int) -> Dump | None:
        """The dump, or None when its database's route does not have it: deleted, expired, or
        left by a deleted database (then :meth:`find_service_dump` may still find it)."""
        try:
            return self.dump(name, dump_id)
        except NotFoundError:
            return None

    def create_dump(self, name: str, date: str, send_email: bool) -> HostingTask:
        """Start a dump (``now``) or a copy of an automatic backup (``daily.1``, ``weekly.1``)."""
        path = f"{self.base}/database/{name}/dump"
        return self._task(self.client.post(path, date=date, sendEmail=send_email))

    def delete_dump(self, name: str, dump_id: int) -> HostingTask:
        return self._task(self.client.delete(f"{self.base}/database/{name}/dump/{dump_id}"))

    def restore_dump(self, name: str, dump_id: int) -> HostingTask:
        path = f"{self.base}/database/{name}/dump/{dump_id}/restore"
        return self._task(self.client.post(path))

    # -- service-level dumps: every dump of the service, orphans of deleted databases too -----

    def orphan_dump_ids(self, database_name: str) -> list[int]:
        """Ids of the dumps left by the deleted database ``database_name``."""
        found = self.client.get(f"{self.base}/dump", databaseName=database_name, orphan=True)
        return [int(i) for i in found]

    def service_dump(self, dump_id: int) -> ServiceDump:
        return ServiceDump.from_api(self.client.get(f"{self.base}/dump/{dump_id}"))

    def find_service_dump(self, dump_id: int) -> ServiceDump | None:
        """The dump, whatever became of its database, or None once it is gone (deleted or
        expired)."""
        try:
            return self.service_dump(dump_id)
        except NotFoundError:
            return None

    def delete_service_dump(self, dump_id: int) -> HostingTask:
        """Delete a dump through the service: the only route left to the dumps of a deleted
        (or deleted and re-created) database."""
        return self._task(self.client.delete(f"{self.base}/dump/{dump_id}"))
