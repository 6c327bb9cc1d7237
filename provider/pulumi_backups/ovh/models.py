"""Typed OVHcloud objects: the task every API of OVHcloud answers, web-hosting databases,
dumps and tasks (NAS-HA's own are in :mod:`.nasha.models`).

Each model reads its wire object in ``from_api`` (only properties of the published model:
``tests/contract`` checks it) and nothing else: no Pulumi, no HTTP, no clock.

Hosting task statuses: init, todo, doing -> done; ``cancelled`` is a failure (``error``, which
``hosting.web.task.StatusEnum`` does not list, is taken as one too). A finished task is
archived after a while and then answers 404: OVHcloud's own tooling takes that as finished,
and so do the waiters (``archived``; the caller re-reads the object it cares about).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, Field

#: Shapes of the names that go into URL paths: one path segment each.
SERVICE_NAME = r"^[A-Za-z0-9][A-Za-z0-9.-]*$"
DATABASE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"

HOSTING_FAILED = frozenset({"error", "cancelled"})

T = TypeVar("T", bound="Task")
Made = TypeVar("Made")
Named = Callable[[Made], tuple[str, dict[str, Any]]]
"""How a resource names what its create made (its id and outputs), for a partial result."""

MAX_LISTED = 100_000
"""Entries a listing of this package's routes can hold, at most: a database keeps its dumps
30 days, a partition a few snapshots. An answer listing more is not believed (and never read
one by one)."""

_CLUSTER_NAME = re.compile(r"([a-z0-9]+)\.cluster\d+\.hosting\.ovh\.net", re.IGNORECASE)
_MB_PER_UNIT = {"B": 1 / 1024**2, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0, "TB": 1024.0**2}


def hosting_login(service_name: str) -> str | None:
    """The hosting's login, read from a ``<login>.clusterNNN.hosting.ovh.net`` service name.

    No I/O (it runs in ``check``): the login is the first label of such names
    (``sandbox.cluster000.hosting.ovh.net`` -> ``sandbox``). Services named otherwise (after a
    domain, say) give None and the API alone judges the user; it has the last word anyway.
    """
    match = _CLUSTER_NAME.fullmatch(service_name)
    return match.group(1).lower() if match else None


def megabytes(size: Any) -> float | None:
    """``{"unit": "MB", "value": 12.5}`` in MB (None when absent or of an unknown unit)."""
    if not isinstance(size, dict) or size.get("value") is None:
        return None
    factor = _MB_PER_UNIT.get(str(size.get("unit", "MB")).upper())
    return None if factor is None else float(size["value"]) * factor


def listed_ids(data: Any) -> list[int]:
    """A listing of ids (``[1001, 1002]``); TypeError / ValueError for anything else,
    and for more than :data:`MAX_LISTED` of them (read through ``core.answers.parsed``)."""
    items = _listing(data)
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise TypeError("not a list of ids")
    return list(items)


def listed_names(data: Any) -> list[str]:
    """A listing of names (``["a.mysql.db"]``); TypeError / ValueError for anything else."""
    items = _listing(data)
    if not all(isinstance(i, str) for i in items):
        raise TypeError("not a list of names")
    return list(items)


def _listing(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(f"not a list but {type(data).__name__}")
    if len(data) > MAX_LISTED:
        raise ValueError(f"lists {len(data)} entries, more than the {MAX_LISTED} it can hold")
    return data


_LINKED_DUMP = re.compile(r"/dump/(\d+)\b|\b(\d+)\.sql\.gz\b")


def linked_dump(url: str | None) -> int | None:
    """The dump id a download link names (``.../dump/1000001...`` or ``1000001.sql.gz``),
    or None when it names none."""
    match = _LINKED_DUMP.search(url or "")
    return None if match is None else int(match.group(1) or match.group(2))


class Task(BaseModel):
    """What the waiters need of a task: its status, and how to name it in an error."""

    id: int
    status: str
    archived: bool = False
    """Answered 404 once finished: done, and the caller re-reads the object it cares about."""

    failed_statuses: ClassVar[frozenset[str]] = frozenset()

    @property
    def done(self) -> bool:
        return self.status == "done"

    @property
    def failed(self) -> bool:
        return self.status in self.failed_statuses

    @property
    def detail(self) -> str:
        """What a failure's message adds (the task's own explanation, when it has one)."""
        return ""

    def finished(self: T) -> T:
        """This task, done and archived (its route answered not-found)."""
        return self.model_copy(update={"status": "done", "archived": True})


class HostingTask(Task):
    """A web-hosting task (model ``hosting.web.task``), as every mutating call answers."""

    function: str | None = None
    start_date: str | None = None
    done_date: str | None = None
    last_update: str | None = None
    object_id: str | None = None
    object_type: str | None = None
    failed_statuses: ClassVar[frozenset[str]] = HOSTING_FAILED

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> HostingTask:
        return cls(
            id=body["id"],
            status=body["status"],
            function=body.get("function"),
            start_date=body.get("startDate"),
            done_date=body.get("doneDate"),
            last_update=body.get("lastUpdate"),
            object_id=body.get("objectId"),
            object_type=body.get("objectType"),
        )

    def identity(self) -> dict[str, object]:
        """What never changes in the task's life, as far as it is known: every later answer
        about it must agree (``core.answers.same_object``)."""
        known = {"id": self.id, "function": self.function, "objectId": self.object_id}
        return {k: v for k, v in {**known, "objectType": self.object_type}.items() if v is not None}


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
    service_type: str | None = None
    """``databaseType``: ``extra`` for an extraSqlPerso, ``optional`` for a private database."""

    @property
    def capability(self) -> str:
        """The offer the database was taken from, as far as the API tells: the extra and
        private offers say so; any other is the hosting's included ``sqlPerso``."""
        return {"extra": "extraSqlPerso", "optional": "privateDatabase"}.get(
            self.service_type or "", "sqlPerso"
        )

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
            service_type=body.get("databaseType"),
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

    def about(self) -> dict[str, object]:
        """Whom the answer says it is about: its id, and the dump its link names, if any."""
        linked = linked_dump(self.url)
        return {"id": self.id, "link": self.id if linked is None else linked}


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


class DatabaseRequest(BaseModel):
    """What a new database is made of (``POST .../database``)."""

    user: str
    type: str
    capability: str
    version: str | None = None
    quota: int | None = None
    password: str | None = Field(default=None, repr=False)

    def to_api(self) -> dict[str, Any]:
        """The request body; the API spells the offer ``capabilitie``."""
        return {
            "capabilitie": self.capability,
            "type": self.type,
            "user": self.user,
            "password": self.password,
            "quota": self.quota,
            "version": self.version,
        }
