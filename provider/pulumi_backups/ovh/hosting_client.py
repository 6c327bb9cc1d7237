"""Typed calls of the OVHcloud web-hosting API: databases, dumps, restores and their tasks.

:class:`HostingApi` builds the ``/hosting/web/{serviceName}/...`` paths and turns the wire
objects into the models of :mod:`.models`; every call goes through the package's single OVH
choke point (:class:`~pulumi_backups.ovh.client.OvhClient`), which signs, retries and maps
errors. Every mutating call answers a :class:`~.models.HostingTask`.

Every answer is read through ``core.answers``: a payload the model refuses is an ApiError
"malformed answer", and a read about another object than the one asked for (another task,
database or dump) is an ApiError naming both. A create whose answer is unusable, or lost
after the request went out, says which listing shows what it may have made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..core.answers import parsed, same_object
from ..core.errors import ApiError, NotFoundError, with_note
from ..core.waiting import Clock
from .client import OvhClient
from .models import Database, Dump, HostingTask, ServiceDump, listed_ids, listed_names

M = TypeVar("M")


class HostingApi:
    """The routes of one web-hosting service (``service_name``) that this package uses."""

    def __init__(self, client: OvhClient, service_name: str) -> None:
        self.client = client
        self.service_name = service_name
        self.base = f"/hosting/web/{service_name}"

    @property
    def clock(self) -> Clock:
        return self.client.clock

    def _get(self, path: str, build: Callable[[Any], M], **params: Any) -> M:
        return parsed(f"GET {path}", build, self.client.get(path, **params))

    def _post(self, path: str, **body: Any) -> HostingTask:
        """POST a change; its answer must be a task."""
        return parsed(f"POST {path}", HostingTask.from_api, self.client.post(path, **body))

    def _delete(self, path: str) -> HostingTask:
        return parsed(f"DELETE {path}", HostingTask.from_api, self.client.delete(path))

    def _created(self, path: str, listing: str, **body: Any) -> HostingTask:
        """POST a create; when the server may have acted but its answer is lost or unusable,
        the error names ``listing``, where what it made shows."""
        try:
            return self._post(path, **body)
        except ApiError as err:
            if not err.may_have_acted:
                raise
            raise with_note(err, f"what it made, if anything, is listed by GET {listing}") from err

    def task(self, task_id: int) -> HostingTask:
        """A task of the service (NotFoundError once finished and archived)."""
        return self.follow(HostingTask(id=task_id, status="?"))

    def follow(self, task: HostingTask) -> HostingTask:
        """``task`` as it is now (NotFoundError once finished and archived); an answer about
        another task (another id, function or object) is an ApiError."""
        path = f"{self.base}/tasks/{task.id}"
        now = self._get(path, HostingTask.from_api)
        same_object(f"GET {path}", f"hosting task #{task.id}", task.identity(), now.identity())
        return now

    # -- databases ----------------------------------------------------------------------------

    def database_names(self, user: str | None = None) -> list[str]:
        """Names of the service's databases (of ``user`` only, when given)."""
        return self._get(f"{self.base}/database", listed_names, user=user)

    def database(self, name: str, user: str | None = None) -> Database:
        """The database ``name`` (of ``user``, when given); an answer about another one is
        an ApiError."""
        path = f"{self.base}/database/{name}"
        db = self._get(path, Database.from_api)
        asked: dict[str, object] = {"name": name} if user is None else {"name": name, "user": user}
        answered = {"name": db.name, "user": db.user}
        same_object(f"GET {path}", f"database {name}", asked, answered)
        return db

    def find_database(self, name: str) -> Database | None:
        """The database, or None when the service has none of that name."""
        try:
            return self.database(name)
        except NotFoundError:
            return None

    def create_database(self, body: dict[str, Any]) -> HostingTask:
        """Start creating a database; the answer is a task, not the database's name."""
        path = f"{self.base}/database"
        return self._created(path, f"{path}?user={body.get('user')}", **body)

    def change_password(self, name: str, password: str) -> HostingTask:
        path = f"{self.base}/database/{name}/changePassword"
        return self._post(path, password=password)

    def delete_database(self, name: str) -> HostingTask:
        return self._delete(f"{self.base}/database/{name}")

    def restore_backup(self, name: str, date: str, send_email: bool = False) -> HostingTask:
        """Restore an automatic backup (``daily.1``, ``weekly.1``, ``now``) of ``name``."""
        path = f"{self.base}/database/{name}/restore"
        return self._created(path, f"{self.base}/tasks", date=date, sendEmail=send_email)

    # -- dumps of an existing database --------------------------------------------------------

    def dump_ids(self, name: str) -> list[int]:
        """Ids of the finished dumps of ``name``; a listing of more than ``MAX_LISTED`` is a
        malformed answer."""
        return self._get(f"{self.base}/database/{name}/dump", listed_ids)

    def dump(self, name: str, dump_id: int) -> Dump:
        """The dump ``dump_id`` of ``name``; an answer about another dump is an ApiError."""
        path = f"{self.base}/database/{name}/dump/{dump_id}"
        dump = self._get(path, Dump.from_api)
        asked = {"id": dump_id, "link": dump_id}
        same_object(f"GET {path}", f"dump {dump_id} of {name}", asked, dump.about())
        return dump

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
        return self._created(path, path, date=date, sendEmail=send_email)

    def delete_dump(self, name: str, dump_id: int) -> HostingTask:
        return self._delete(f"{self.base}/database/{name}/dump/{dump_id}")

    def restore_dump(self, name: str, dump_id: int) -> HostingTask:
        path = f"{self.base}/database/{name}/dump/{dump_id}/restore"
        return self._created(path, f"{self.base}/tasks")

    # -- service-level dumps: every dump of the service, orphans of deleted databases too -----

    def orphan_dump_ids(self, database_name: str) -> list[int]:
        """Ids of the dumps left by the deleted database ``database_name``."""
        path = f"{self.base}/dump"
        return self._get(path, listed_ids, databaseName=database_name, orphan=True)

    def service_dump(self, dump_id: int, of: str) -> ServiceDump:
        """The dump ``dump_id`` of the database ``of``, whatever became of that database;
        an answer about another dump, or a dump of another database, is an ApiError: dump ids
        are the service's, so the id names no dump of ``of``."""
        path = f"{self.base}/dump/{dump_id}"
        dump = self._get(path, ServiceDump.from_api)
        asked = {"id": dump_id, "link": dump_id, "databaseName": of}
        answered = {**dump.about(), "databaseName": dump.database_name}
        same_object(f"GET {path}", f"dump {dump_id} of {of}", asked, answered)
        return dump

    def find_service_dump(self, dump_id: int, of: str) -> ServiceDump | None:
        """The dump of ``of``, whatever became of that database, or None once it is gone
        (deleted or expired)."""
        try:
            return self.service_dump(dump_id, of)
        except NotFoundError:
            return None

    def delete_service_dump(self, dump_id: int) -> HostingTask:
        """Delete a dump through the service: the only route left to the dumps of a deleted
        (or deleted and re-created) database."""
        return self._delete(f"{self.base}/dump/{dump_id}")
