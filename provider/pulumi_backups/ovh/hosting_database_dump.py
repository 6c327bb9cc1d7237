"""``HostingDatabaseDump``: a dump of a web-hosting database (``.../database/{name}/dump``).

Id ``{service_name}/{database_name}/{dump_id}``. ``POST .../dump`` answers a task, not the
dump: once the task is done, the dump it produced is the one whose ``taskId`` is that task's
id. That key is unambiguous, so dumps of the same database created at the same time (by this
stack's four provider threads, or by anyone) are never confused: no dump is ever picked by
position or by date.

A dump outlives its database: OVHcloud keeps the dumps of a deleted database 30 days, at
service level only (``/hosting/web/{sn}/dump/{id}``), also when a database of the same name
is created again (a replacement). Read and delete fall back on that route, so such a dump
stays in the stack, readable, until it expires or the program deletes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Literal

import pulumi
import pulumi.dynamic
from pydantic import Field

from ..core.errors import (
    ApiError,
    BackupsError,
    ConflictError,
    NotFoundError,
    TaskFailedError,
)
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs, Timeouts
from ..core.resource import resource_props, secret_options
from .client import ovh_client
from .hosting import (
    DATABASE_NAME,
    SERVICE_NAME,
    Dump,
    HostingApi,
    ServiceDump,
    Task,
    parse_date,
    since,
)

ID_SHAPE = "{service_name}/{database_name}/{dump_id}"
OUTPUTS = ("dump_id", "creation_date", "deletion_date", "status", "url")
ATTRIBUTES = (*OUTPUTS, "date", "send_email")  # every attribute must be seeded


class HostingDatabaseDumpArgs(ResourceArgs):
    """Inputs of :class:`HostingDatabaseDump`."""

    service_name: str = Field(pattern=SERVICE_NAME, description="Web hosting service.")
    database_name: str = Field(
        pattern=DATABASE_NAME, description="Database to dump, e.g. `sandboxapp.mysql.db`."
    )
    date: Literal["now", "daily.1", "weekly.1"] = Field(
        default="now",
        description="`now` dumps the database as it is; `daily.1` / `weekly.1` copy the last "
        "daily / weekly automatic backup.",
    )
    send_email: bool = Field(default=False, description="Mail the hosting's contact when ready.")
    triggers: Any = Field(default=None, description="Any change makes a new dump.")
    timeouts: Timeouts | None = Field(default=None, description="Deadlines in seconds.")


def dump_outputs(dump: Dump) -> dict[str, Any]:
    return {
        "dump_id": dump.id,
        "creation_date": dump.creation_date,
        "deletion_date": dump.deletion_date,
        "status": dump.status,
        "url": dump.url,
    }


def find_task_dump(api: HostingApi, database_name: str, task: Task) -> Dump | None:
    """The dump produced by ``task`` (its ``taskId``), or None when there is none (yet).

    Dumps created since the task started are looked at first (newest first); then, in case
    the dates disagree, every other dump of the database.
    """
    seen: set[int] = set()
    for created_from in (since(task), None):
        for dump_id in sorted(api.dump_ids(database_name, created_from), reverse=True):
            if dump_id in seen:
                continue
            seen.add(dump_id)
            dump = api.find_dump(database_name, dump_id)
            if dump is not None and dump.task_id == task["id"]:
                return dump
        if created_from is None:
            break
    return None


def expired(dump: Dump, now: datetime | None = None) -> bool:
    """Whether the dump's automatic deletion date has passed."""
    deletion = parse_date(dump.deletion_date)
    return deletion is not None and deletion <= (now or datetime.now(timezone.utc))


class HostingDatabaseDumpProvider(BaseProvider[HostingDatabaseDumpArgs]):
    """CRUD of a database dump; see :class:`HostingDatabaseDump`."""

    kind = "HostingDatabaseDump"
    args_type = HostingDatabaseDumpArgs
    replace_on_change = frozenset({"service_name", "database_name", "date"})
    parent_fields = frozenset({"service_name", "database_name"})

    def describe(self, args: HostingDatabaseDumpArgs) -> str:
        return f"HostingDatabaseDump of {args.database_name} on {args.service_name}"

    def api(self, service_name: str) -> HostingApi:
        """The API of ``service_name`` through the shared client (tests substitute theirs)."""
        return HostingApi(ovh_client(), service_name)

    def create_resource(self, args: HostingDatabaseDumpArgs) -> tuple[str, dict[str, Any]]:
        api = self.api(args.service_name)
        try:
            task = api.create_dump(args.database_name, args.date, args.send_email)
        except ApiError as err:  # no task id: nothing tells its dump apart
            if not err.may_have_acted:
                raise
            raise BackupsError(
                f"{err}. If the server carried the request out anyway, a dump of "
                f"{args.database_name} not managed by this stack will appear"
            ) from err
        try:
            api.wait(task, self.wait_policy(args, "create"))
            dump = find_task_dump(api, args.database_name, task)
        except BackupsError as err:  # the task may have made a dump: never leave it unknown
            raise _cleanup(api, args.database_name, task, err) from err
        if dump is None:
            raise BackupsError(
                f"hosting task #{task['id']} is done but no dump of {args.database_name} carries "
                "its id (taskId), so the dump cannot be told apart from others"
            )
        return join_id(args.service_name, args.database_name, dump.id), dump_outputs(dump)

    def read_resource(
        self, id_: str, args: HostingDatabaseDumpArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        """None (dropped) once the dump expired or is being deleted, or neither its database's
        route nor the service's has it; a dump its database left behind reads on."""
        service_name, database_name, dump_id = split_id(id_, ID_SHAPE)
        dump = locate_dump(self.api(service_name), database_name, int(dump_id))
        if dump is None or dump.status == "deleting" or expired(dump):
            return None
        return dump_outputs(dump)

    def delete_resource(
        self, id_: str, args: HostingDatabaseDumpArgs, props: dict[str, Any]
    ) -> None:
        """Delete the dump and wait, through the service-level route when its database was
        deleted or replaced; a dump gone from both routes is deleted already."""
        service_name, database_name, dump_id = split_id(id_, ID_SHAPE)
        api = self.api(service_name)
        task = _start_delete(api, database_name, int(dump_id))
        if task is not None:
            api.wait(task, self.wait_policy(args, "delete"))


def locate_dump(api: HostingApi, database_name: str, dump_id: int) -> Dump | None:
    """The dump through its database's route, else through the service's (the only one left
    to the dumps of a deleted or replaced database); None when neither has it."""
    dump = api.find_dump(database_name, dump_id)
    return dump if dump is not None else kept_dump(api, database_name, dump_id)


def kept_dump(api: HostingApi, database_name: str, dump_id: int) -> ServiceDump | None:
    """The dump through the service-level route, if it is one of ``database_name``'s: a dump
    of another database is not the one this id names (the route is the only one saying)."""
    dump = api.find_service_dump(dump_id)
    return dump if dump is not None and dump.database_name == database_name else None


def _start_delete(api: HostingApi, database_name: str, dump_id: int) -> Task | None:
    """The task deleting the dump, or None when it is gone or being deleted already.

    A 404 of the database's route proves nothing about a dump whose database was deleted or
    replaced: the service-level route then has the last word, and deletes it if it is one of
    ``database_name``'s (a dump of another database is left alone, as read leaves it).
    """
    try:
        try:
            return api.delete_dump(database_name, dump_id)
        except NotFoundError:
            if kept_dump(api, database_name, dump_id) is None:
                return None
            return api.delete_service_dump(dump_id)
    except NotFoundError:  # gone in between
        return None
    except ConflictError:  # busy; fine if it is being deleted already
        dump = locate_dump(api, database_name, dump_id)
        if dump is not None and dump.status != "deleting":
            raise
        return None


def _cleanup(api: HostingApi, database_name: str, task: Task, err: BackupsError) -> BackupsError:
    """After a failed or endless dump task: delete the dump it made, or say what may appear."""
    try:
        dump = find_task_dump(api, database_name, task)
        if dump is not None:
            api.delete_dump(database_name, dump.id)
            return BackupsError(f"{err}; deleting dump {dump.id} that the task left")
    except ApiError as cleanup_err:
        return BackupsError(
            f"{err}; could not clean up after hosting task #{task['id']}: {cleanup_err}. "
            f"A dump of {database_name} with taskId {task['id']} is not managed by this stack"
        )
    if not isinstance(err, TaskFailedError):
        return BackupsError(
            f"{err}. If the task still finishes, the dump of {database_name} with taskId "
            f"{task['id']} will not be managed by this stack: delete it then"
        )
    return err


class HostingDatabaseDump(pulumi.dynamic.Resource, module="ovh", name="HostingDatabaseDump"):
    """A dump of a web-hosting database, kept by OVHcloud until its ``deletion_date``.

    ``url`` (a secret) downloads it. Refresh drops a dump that expired or was deleted out of
    band, and keeps one whose database was deleted or replaced (OVHcloud keeps it 30 days); a
    change of ``triggers`` makes a new dump, e.g. before each deploy::

        HostingDatabaseDump("before-deploy", service_name=db.service_name,
                            database_name=db.name, triggers=[app_version])
    """

    dump_id: pulumi.Output[int]
    creation_date: pulumi.Output[str]
    deletion_date: pulumi.Output[str]
    status: pulumi.Output[str]
    url: pulumi.Output[str]
    service_name: pulumi.Output[str]
    database_name: pulumi.Output[str]
    date: pulumi.Output[str]
    send_email: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        *,
        service_name: pulumi.Input[str],
        database_name: pulumi.Input[str],
        date: pulumi.Input[str] | None = None,
        send_email: pulumi.Input[bool] | None = None,
        triggers: pulumi.Input[Any] | None = None,
        timeouts: pulumi.Input[Mapping[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "service_name": service_name, "database_name": database_name, "date": date,
            "send_email": send_email, "triggers": triggers, "timeouts": timeouts,
        }  # fmt: skip
        super().__init__(
            HostingDatabaseDumpProvider(),
            resource_name,
            resource_props(arguments, ATTRIBUTES),
            secret_options(opts, ["url"]),
        )
