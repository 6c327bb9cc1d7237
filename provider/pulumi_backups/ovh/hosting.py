"""Typed calls of the OVHcloud web-hosting API: databases, dumps, restores and their tasks.

No Pulumi here. :class:`HostingApi` builds the ``/hosting/web/{serviceName}/...`` paths and
turns the wire objects into :class:`Database`, :class:`Dump` and :class:`ServiceDump`
(``from_api``); every call goes through the package's single OVH choke point
(:class:`~pulumi_backups.ovh.client.OvhClient`), which signs, retries and maps errors.

Every mutating call answers a hosting task (``{id, function, status, startDate, ...}``), which
:meth:`HostingApi.wait` follows to its end: init, todo, doing -> done; ``cancelled`` (the
failed end; ``error`` too, should one appear) fails with the task's function and id; a 404 on a
task means it finished and was archived (the caller then re-reads the object it cares about).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, Field

from ..core.errors import ApiError, NotFoundError
from ..core.fields import parse_datetime
from ..core.waiting import SYSTEM_CLOCK, Clock, WaitPolicy
from .client import OvhClient
from .tasks import wait_hosting_task

Task = dict[str, Any]

_CLUSTER_NAME = re.compile(r"([a-z0-9]+)\.cluster\d+\.hosting\.ovh\.net", re.IGNORECASE)
#: Shapes of the names that go into URL paths: one path segment each.
SERVICE_NAME = r"^[A-Za-z0-9][A-Za-z0-9.-]*$"
DATABASE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def hosting_login(service_name: str) -> str | None:
    """The hosting's login, read from a ``<login>.clusterNNN.hosting.ovh.net`` service name.

    No I/O (it runs in ``check``): the login is the first label of such names
    (``sandbox.cluster000.hosting.ovh.net`` -> ``sandbox``). Services named otherwise (after a
    domain, say) give None and the API alone judges the user; it has the last word anyway.
    """
    match = _CLUSTER_NAME.fullmatch(service_name)
    return match.group(1).lower() if match else None


_MB_PER_UNIT = {"B": 1 / 1024**2, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0, "TB": 1024.0**2}


def megabytes(size: Any) -> float | None:
    """``{"unit": "MB", "value": 12.5}`` in MB (None when absent or of an unknown unit)."""
    if not isinstance(size, dict) or size.get("value") is None:
        return None
    factor = _MB_PER_UNIT.get(str(size.get("unit", "MB")).upper())
    return None if factor is None else float(size["value"]) * factor


def parse_date(text: str | None) -> datetime | None:
    """An OVHcloud date (ISO 8601 with offset, ``Z`` accepted), or None when absent/invalid."""
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def since(task: Task, margin: float = 60.0) -> str | None:
    """A ``creationDate.from`` filter for what ``task`` produced: its server-side start time,
    minus ``margin`` seconds for second rounding (None when the task carries no start date).

    Server time, not ours: a skewed local clock cannot hide the new object from the filter.
    """
    started = parse_date(task.get("startDate"))
    if started is None:
        return None
    return (started - timedelta(seconds=margin)).isoformat()


class Database(BaseModel):
    """``GET /hosting/web/{sn}/database/{name}``, quotas in MB."""

    name: str
    user: str | None = None
    type: str | None = None
    version: str | None = None
    mode: str | None = None
    server: str | None = None
    port: int | None = None
    state: str | None = None
    status: str | None = None
    quota_size: float | None = None
    quota_used: float | None = None
    task_id: int | None = None

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Database:
        version = body.get("version")
        return cls(
            name=body["name"],
            user=body.get("user"),
            type=body.get("type"),
            version=None if version is None else str(version),
            mode=body.get("mode"),
            server=body.get("server"),
            port=body.get("port"),
            state=body.get("state"),
            status=body.get("status"),
            quota_size=megabytes(body.get("quotaSize")),
            quota_used=megabytes(body.get("quotaUsed")),
            task_id=body.get("taskId"),
        )


class Dump(BaseModel):
    """A dump of an existing database, as its database's route shows it
    (``.../database/{name}/dump/{id}``, model ``hosting.web.database.dump``).

    ``url`` is a download link that needs no signature: treat it as a secret.
    """

    id: int
    creation_date: str | None = None
    deletion_date: str | None = None
    status: str | None = None
    task_id: int | None = None
    type: str | None = None
    url: str | None = Field(default=None, repr=False)  # never in a log or a traceback

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Dump:
        return Dump(
            id=body["id"],
            creation_date=body.get("creationDate"),
            deletion_date=body.get("deletionDate"),
            status=body.get("status"),
            task_id=body.get("taskId"),
            type=body.get("type"),
            url=body.get("url"),
        )


class ServiceDump(Dump):
    """Any dump of the service, as the service-level route shows it (``.../dump/{id}``, model
    ``hosting.web.dump``): also those of a deleted database, which only this route reaches.
    Only this model names the dump's database and says whether it was deleted (``orphan``).
    """

    database_name: str | None = None
    orphan: bool | None = None

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> ServiceDump:
        return ServiceDump(
            **Dump.from_api(body).model_dump(),
            database_name=body.get("databaseName"),
            orphan=body.get("orphan"),
        )


class HostingApi:
    """The routes of one web-hosting service (``service_name``) that this package uses."""

    def __init__(self, client: OvhClient, service_name: str, clock: Clock = SYSTEM_CLOCK):
        self.client = client
        self.service_name = service_name
        self.clock = clock
        self.base = f"/hosting/web/{service_name}"

    def wait(self, task: Task, policy: WaitPolicy) -> Task:
        """Wait for ``task`` to be done; TaskFailedError / WaitTimeoutError otherwise."""
        return wait_hosting_task(self.client, self.service_name, task, policy, self.clock)

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

    def create_database(self, body: dict[str, Any]) -> Task:
        """Start creating a database; the answer is a task, not the database's name.

        When the answer is lost or a server error comes back, the request may still have been
        carried out: if a database of ``body["user"]`` now exists and names its task, that
        task is returned, so that the caller goes on as if the answer had arrived.
        """
        try:
            task: Task = self.client.post(f"{self.base}/database", **body)
        except ApiError as err:
            if not err.may_have_acted:
                raise
            try:
                names = self.database_names(user=body["user"])
                db = self.database(names[0]) if names else None
            except ApiError:
                raise err from None
            if db is None or db.task_id is None:
                raise
            return {"id": db.task_id, "function": "database/create", "status": "todo"}
        return task

    def change_password(self, name: str, password: str) -> Task:
        task: Task = self.client.post(
            f"{self.base}/database/{name}/changePassword", password=password
        )
        return task

    def delete_database(self, name: str) -> Task:
        task: Task = self.client.delete(f"{self.base}/database/{name}")
        return task

    def restore_backup(self, name: str, date: str, send_email: bool = False) -> Task:
        """Restore an automatic backup (``daily.1``, ``weekly.1``, ``now``) of ``name``."""
        task: Task = self.client.post(
            f"{self.base}/database/{name}/restore", date=date, sendEmail=send_email
        )
        return task

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

    def create_dump(self, name: str, date: str, send_email: bool) -> Task:
        """Start a dump (``now``) or a copy of an automatic backup (``daily.1``, ``weekly.1``)."""
        task: Task = self.client.post(
            f"{self.base}/database/{name}/dump", date=date, sendEmail=send_email
        )
        return task

    def delete_dump(self, name: str, dump_id: int) -> Task:
        task: Task = self.client.delete(f"{self.base}/database/{name}/dump/{dump_id}")
        return task

    def restore_dump(self, name: str, dump_id: int) -> Task:
        task: Task = self.client.post(f"{self.base}/database/{name}/dump/{dump_id}/restore")
        return task

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

    def delete_service_dump(self, dump_id: int) -> Task:
        """Delete a dump through the service: the only route left to the dumps of a deleted
        (or deleted and re-created) database."""
        task: Task = self.client.delete(f"{self.base}/dump/{dump_id}")
        return task
