"""``HostingDatabaseRestore``: restore a dump or an automatic backup into a hosting database.

Id ``{service_name}/{database_name}/restore/{task_id}``. A restore is an action, not an
object: create runs it and waits for its task; refresh keeps it as recorded, whatever became
of its database since (dropped from the state, it would run again at the next ``up``);
delete only forgets it (a restore cannot be undone) and says so; ``triggers`` restore again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pulumi
from pydantic import Field

from ..core.errors import BackupsError, NotFoundError
from ..core.fields import IntegerId
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import DynamicResource
from .client import ovh_client
from .hosting_client import HostingApi
from .hosting_operations import restore
from .models import DATABASE_NAME, SERVICE_NAME

ID_SHAPE = "{service_name}/{database_name}/restore/{task_id}"
IMPORT_SHAPE = ID_SHAPE + "/{source}"
RESTORE_FUNCTION = "database/restore"
"""What OVHcloud names the task of a restore, of a dump or of an automatic backup."""


class HostingDatabaseRestoreArgs(ResourceArgs):
    """Inputs of :class:`HostingDatabaseRestore`: exactly one of ``dump_id`` and ``date``."""

    service_name: str = Field(pattern=SERVICE_NAME, description="Web hosting service.")
    database_name: str = Field(pattern=DATABASE_NAME, description="Database restored into.")
    dump_id: IntegerId | None = Field(
        default=None, description="Dump of this database to restore (`dump_id` output)."
    )
    date: Literal["daily.1", "weekly.1", "now"] | None = Field(
        default=None, description="Automatic backup to restore instead of a dump."
    )
    triggers: Any = Field(default=None, description="Any change restores again.")

    def cross_check(self, olds: Mapping[str, Any]) -> list[tuple[str, str]]:
        if (self.dump_id is None) == (self.date is None):
            return [("dump_id", "set exactly one of dump_id (a dump) and date (a backup)")]
        return []


class HostingDatabaseRestoreProvider(BaseProvider[HostingDatabaseRestoreArgs]):
    """Runs a restore; see :class:`HostingDatabaseRestore`."""

    kind = "HostingDatabaseRestore"
    args_type = HostingDatabaseRestoreArgs
    replace_on_change = frozenset({"service_name", "database_name", "dump_id", "date"})
    parent_fields = frozenset({"service_name", "database_name"})  # not dump_id: a new dump

    def describe(self, args: HostingDatabaseRestoreArgs) -> str:
        source = f"dump {args.dump_id}" if args.dump_id is not None else f"backup {args.date}"
        return f"HostingDatabaseRestore of {source} into {args.database_name}"

    def create_resource(self, args: HostingDatabaseRestoreArgs) -> tuple[str, dict[str, Any]]:
        api = HostingApi(ovh_client(), args.service_name)
        done = restore(
            api, args.database_name, dump_id=args.dump_id, date=args.date,
            policy=self.wait_policy(args, "create"),
        )  # fmt: skip
        outs = {"task_id": done.id, "done_date": done.done_date or done.last_update}
        return join_id(args.service_name, args.database_name, "restore", done.id), outs

    def read_resource(
        self, id_: str, args: HostingDatabaseRestoreArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The restore as recorded, with no API call: it took place, and neither the deletion
        nor the replacement of its database undoes that. Dropping it from the state would make
        the next ``up`` restore again, into whatever database then has that name."""
        _, _, task_id = split_id(id_, ID_SHAPE)
        return {"task_id": int(task_id), "done_date": props.get("done_date")}

    def import_id(self, import_id: str) -> str:
        return import_id.rpartition("/")[0]

    def import_inputs(self, id_: str) -> dict[str, Any]:
        """The restore an import id ``{service}/{database}/restore/{task_id}/{source}``
        describes: the task alone does not say what was restored, so ``source`` does
        (``dump-<dump id>``, or the automatic backup: ``daily.1``, ``weekly.1``, ``now``).
        A task still listed must be a restore; an archived one is taken on trust."""
        try:
            service_name, database_name, task_id, source = split_id(id_, IMPORT_SHAPE)
        except ValueError as err:
            raise BackupsError(f"the task does not say what was restored: {err}") from err
        inputs: dict[str, Any] = {"service_name": service_name, "database_name": database_name}
        if source.startswith("dump-") and source[5:].isdigit():
            inputs["dump_id"] = int(source[5:])
        elif source in ("daily.1", "weekly.1", "now"):
            inputs["date"] = source
        else:
            raise BackupsError(f"{source!r} is neither dump-<id> nor daily.1, weekly.1, now")
        try:
            task = HostingApi(ovh_client(), service_name).task(int(task_id))
        except NotFoundError:  # archived once finished: nothing says otherwise
            return inputs
        if task.function != RESTORE_FUNCTION:
            raise BackupsError(f"task #{task_id} is a {task.function}, not a restore")
        return inputs

    def delete_resource(
        self, id_: str, args: HostingDatabaseRestoreArgs, props: dict[str, Any]
    ) -> None:
        """Nothing to delete: the data restored stays; the restore leaves the stack only."""
        pulumi.log.info(
            f"HostingDatabaseRestore {id_}: a restore cannot be undone; removing it from the "
            "stack leaves the database as it is"
        )


class HostingDatabaseRestore(DynamicResource, module="ovh", name="HostingDatabaseRestore"):
    """Restores a dump (``dump_id``) or an automatic backup (``date``) into a database.

    Destroying it changes nothing on the database; a change of ``triggers`` restores again::

        HostingDatabaseRestore("rollback", service_name=db.service_name,
                               database_name=db.name, dump_id=dump.dump_id)
    """

    task_id: pulumi.Output[int]
    """Id of the OVHcloud task that restored the database."""
    done_date: pulumi.Output[str | None]
    """When the restore task finished (ISO 8601)."""
    service_name: pulumi.Output[str]
    database_name: pulumi.Output[str]
    dump_id: pulumi.Output[int | None]
    date: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        service_name: pulumi.Input[str],
        database_name: pulumi.Input[str],
        dump_id: pulumi.Input[int] | None = None,
        date: pulumi.Input[str] | None = None,
        triggers: pulumi.Input[Any] | None = None,
        timeouts: pulumi.Input[Mapping[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "service_name": service_name, "database_name": database_name, "dump_id": dump_id,
            "date": date, "triggers": triggers, "timeouts": timeouts,
        }  # fmt: skip
        super().__init__(HostingDatabaseRestoreProvider(), resource_name, arguments, opts)
