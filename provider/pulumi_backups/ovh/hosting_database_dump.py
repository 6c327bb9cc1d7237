"""``HostingDatabaseDump``: a dump of a web-hosting database (``.../database/{name}/dump``).

Id ``{service_name}/{database_name}/{dump_id}``. ``POST .../dump`` answers a task, not the
dump: once the task is done, the dump it produced is the one whose ``taskId`` is that task's
id. That key is unambiguous, so dumps of the same database created at the same time (by this
stack's four provider threads, or by anyone) are never confused: no dump is ever picked by
position or by date. A request whose answer is lost or garbled (no task id) takes the one
dump of its database and ``date`` listed since the request that no other create of the
process claimed (``hosting_operations.find_made_dump``); several are an error naming them.

A dump outlives its database (kept as an orphan: see :mod:`.orphans`), also when a database
of the same name is created again (a replacement). Read and delete fall back on the service
level route, so such a dump stays in the stack, readable, until it expires or the program
deletes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pulumi
from pydantic import Field

from ..core.answers import same_object
from ..core.errors import BackupsError
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import DynamicResource
from .client import ovh_client
from .hosting_client import HostingApi
from .hosting_operations import create_dump, delete_dump, read_dump
from .models import DATABASE_NAME, SERVICE_NAME, Dump

ID_SHAPE = "{service_name}/{database_name}/{dump_id}"


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


def dump_outputs(dump: Dump) -> dict[str, Any]:
    return {
        "dump_id": dump.id,
        "creation_date": dump.creation_date,
        "deletion_date": dump.deletion_date,
        "status": dump.status,
        "url": dump.url,
    }


class HostingDatabaseDumpProvider(BaseProvider[HostingDatabaseDumpArgs]):
    """CRUD of a database dump; see :class:`HostingDatabaseDump`."""

    kind = "HostingDatabaseDump"
    args_type = HostingDatabaseDumpArgs
    secrets = frozenset({"url"})
    replace_on_change = frozenset({"service_name", "database_name", "date"})
    parent_fields = frozenset({"service_name", "database_name"})

    def describe(self, args: HostingDatabaseDumpArgs) -> str:
        return f"HostingDatabaseDump of {args.database_name} on {args.service_name}"

    def create_resource(self, args: HostingDatabaseDumpArgs) -> tuple[str, dict[str, Any]]:
        api = HostingApi(ovh_client(), args.service_name)
        policy = self.wait_policy(args, "create")

        def named(dump: Dump) -> tuple[str, dict[str, Any]]:
            return join_id(args.service_name, args.database_name, dump.id), dump_outputs(dump)

        return named(
            create_dump(api, args.database_name, args.date, args.send_email, policy, named)
        )

    def read_resource(
        self, id_: str, args: HostingDatabaseDumpArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        """None (dropped) once the dump is being deleted, or neither its database's route nor
        the service's has it; a dump its database left behind reads on. A dump whose creation
        date is not the one the state recorded is another dump: an error, the state kept."""
        service_name, database_name, dump_id = split_id(id_, ID_SHAPE)
        api = HostingApi(ovh_client(), service_name)
        dump = read_dump(api, database_name, int(dump_id))
        if dump is None:
            return None
        recorded = {k: props[k] for k in ("creation_date",) if props.get(k) is not None}
        same_object(f"read of {id_}", f"dump {dump_id}", recorded, dump_outputs(dump))
        return dump_outputs(dump)

    def import_inputs(self, id_: str) -> dict[str, Any]:
        service_name, database_name, dump_id = split_id(id_, ID_SHAPE)
        dump = read_dump(HostingApi(ovh_client(), service_name), database_name, int(dump_id))
        if dump is None:
            raise BackupsError(f"no dump {dump_id} of {database_name} to import")
        inputs = {"service_name": service_name, "database_name": database_name}
        return {**inputs, "date": dump.type or "now"}

    def delete_resource(
        self, id_: str, args: HostingDatabaseDumpArgs, props: dict[str, Any]
    ) -> None:
        service_name, database_name, dump_id = split_id(id_, ID_SHAPE)
        api = HostingApi(ovh_client(), service_name)
        delete_dump(api, database_name, int(dump_id), self.wait_policy(args, "delete"))


class HostingDatabaseDump(DynamicResource, module="ovh", name="HostingDatabaseDump"):
    """A dump of a web-hosting database, kept by OVHcloud until its ``deletion_date``.

    ``url`` (a secret) downloads it. Refresh drops a dump that expired or was deleted out of
    band, and keeps one whose database was deleted or replaced (OVHcloud keeps it 30 days); a
    change of ``triggers`` makes a new dump, e.g. before each deploy::

        HostingDatabaseDump("before-deploy", service_name=db.service_name,
                            database_name=db.name, triggers=[app_version])
    """

    dump_id: pulumi.Output[int]
    """Id of the dump (what `HostingDatabaseRestore` takes as `dump_id`)."""
    creation_date: pulumi.Output[str]
    """When OVHcloud made the dump (ISO 8601)."""
    deletion_date: pulumi.Output[str]
    """When OVHcloud deletes the dump by itself (ISO 8601)."""
    status: pulumi.Output[str]
    """Status of the dump (`created` once usable)."""
    url: pulumi.Output[str]
    """Download link of the dump (secret: anyone holding it can download the dump)."""
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
        super().__init__(HostingDatabaseDumpProvider(), resource_name, arguments, opts)
