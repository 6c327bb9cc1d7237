"""``RdbBackupRestore``: restore an RDB backup into an instance's database, once per trigger.

Id ``{region}/{uuid}/restore/{n}`` (``n``: the restore's start, epoch milliseconds). Create
POSTs the restore and waits until the backup is ``ready`` again. A restore is an event, not
an object: read keeps what was recorded, any input change (``triggers`` included) restores
again, and delete only forgets it - a restored database cannot be un-restored.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import DiffResult
from pydantic import Field, field_validator

from ..core.errors import BackupsError
from ..core.fields import PathSegment
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs, is_unknown
from ..core.resource import DynamicResource
from . import operations
from .args import region_value, uuid_value
from .client import rdb_client
from .models import RestoreBackupRequest

ID_SHAPE = "{region}/{backup_id}/restore/{n}"


class RdbBackupRestoreArgs(ResourceArgs):
    """Inputs of an RdbBackupRestore."""

    backup_id: str = Field(
        description="The backup: an RdbBackup's id (`region/uuid`) or a bare backup UUID."
    )
    instance_id: str = Field(description="UUID of the Database Instance to restore into.")
    database_name: PathSegment | None = Field(
        default=None,
        min_length=1,
        description="Database to restore into; default: the backup's own database name.",
    )
    region: str | None = Field(
        default=None,
        description="Region of a backup given as a bare UUID; default: stack config, "
        "environment, profile, then fr-par.",
    )
    triggers: Any = Field(default=None, description="Any value; a change restores again.")

    _uuid = field_validator("instance_id")(uuid_value)
    _region = field_validator("region")(region_value)

    @field_validator("backup_id")
    @classmethod
    def _backup(cls, value: str) -> str:
        parts = value.split("/")
        if len(parts) > 2:
            raise ValueError("must be `region/uuid` (an RdbBackup id) or a backup UUID")
        if len(parts) == 2:
            region_value(parts[0] or "(empty)")
        uuid_value(parts[-1])
        return value

    def cross_check(self, olds: Any) -> list[tuple[str, str]]:
        region, _ = self.backup_ref()
        if region and self.region and region != self.region:
            return [("region", f"{self.region!r} contradicts backup_id's region {region!r}")]
        return []

    def backup_ref(self) -> tuple[str | None, str]:
        """``(region or None, uuid)`` of the backup, from ``backup_id`` then ``region``."""
        region, _, uuid = self.backup_id.rpartition("/")
        return (region or self.region), uuid


class RdbBackupRestoreProvider(BaseProvider[RdbBackupRestoreArgs]):
    """Runs restores; keeps no server-side object of its own."""

    kind = "RdbBackupRestore"
    args_type = RdbBackupRestoreArgs
    replace_on_change = frozenset({"backup_id", "instance_id", "database_name", "region"})
    parent_fields = frozenset({"instance_id", "database_name"})  # not backup_id: a new backup
    default_timeout = 4 * 3600.0  # large databases take hours

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """As :meth:`BaseProvider.diff`, the backup compared as the backup it names: ``region/
        uuid``, or a uuid and ``region``, or a uuid alone (the region then being the one chosen
        at create, which the id records) are one backup, and restore nothing again. An import
        records ``backup_id`` as a bare uuid and ``region``; a program names the backup by an
        RdbBackup's id."""
        new_backup, new_region = news.get("backup_id"), news.get("region")
        known = not is_unknown(new_backup) and not is_unknown(new_region)
        if isinstance(new_backup, str) and known:
            region, _, uuid = new_backup.rpartition("/")
            new_ref = (region or new_region, uuid)
            if new_ref in {_backup_ref(olds, id_), (None, _backup_ref(olds, id_)[1])}:
                news = {**news, "backup_id": olds.get("backup_id"), "region": olds.get("region")}
        return super().diff(id_, olds, news)

    def describe(self, args: RdbBackupRestoreArgs) -> str:
        target = f"{args.instance_id}/{args.database_name or '(same database)'}"
        return f"RdbBackupRestore of {args.backup_id} into {target}"

    def create_resource(self, args: RdbBackupRestoreArgs) -> tuple[str, dict[str, Any]]:
        region_hint, backup_id = args.backup_ref()
        client, region = rdb_client(region_hint)
        started_ms = int(client.clock.utc().timestamp() * 1000)
        request = RestoreBackupRequest(
            instance_id=args.instance_id, database_name=args.database_name
        )
        policy = self.wait_policy(args, "create")
        backup = operations.restore(client, region, backup_id, request, policy)
        return join_id(region, backup_id, "restore", started_ms), {"status": backup.status}

    def read_resource(
        self, id_: str, args: RdbBackupRestoreArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The recorded outcome: a finished restore stays done even if its backup is gone."""
        split_id(id_, ID_SHAPE)
        return {"status": props.get("status")}

    def import_inputs(self, id_: str) -> dict[str, Any]:
        """The backup the id names, restored into its own database (the id does not record
        another target: an ``import`` option that names one is refused by the engine's
        comparison of the program's inputs with these)."""
        region, backup_id, _ = split_id(id_, ID_SHAPE)
        client, _ = rdb_client(region)
        backup = operations.read(client, region, backup_id)
        if backup is None:
            raise BackupsError(f"no backup {backup_id} in {region}: the restore cannot be told")
        return {
            "backup_id": backup_id, "region": region, "instance_id": backup.instance_id,
            "database_name": backup.database_name,
        }  # fmt: skip

    def delete_resource(self, id_: str, args: RdbBackupRestoreArgs, props: dict[str, Any]) -> None:
        """Nothing to delete: the restored data stays; the restore leaves the state only."""
        pulumi.log.info(
            f"RdbBackupRestore {id_}: a restore cannot be undone; "
            "the restored database is left as it is and the restore is only forgotten"
        )


def _backup_ref(olds: dict[str, Any], id_: str) -> tuple[str | None, str | None]:
    """``(region, uuid)`` of the backup a recorded restore restored; the region from its
    ``backup_id``, its ``region``, else its id (``{region}/{uuid}/restore/{n}``)."""
    backup = olds.get("backup_id")
    if not isinstance(backup, str):
        return None, None
    region, _, uuid = backup.rpartition("/")
    recorded = id_.split("/", 1)[0] if id_.count("/") == 3 else None
    return region or olds.get("region") or recorded, uuid


class RdbBackupRestore(DynamicResource, module="scaleway", name="RdbBackupRestore"):
    """Restores an RDB backup into a database and waits until it is done.

    Any change of its inputs restores again: give ``triggers`` a value that changes when a
    new restore is wanted. Deleting it does not touch the database.

    Example::

        RdbBackupRestore(
            "restore-to-staging",
            backup_id=backup.id,              # "fr-par/<uuid>" or a bare uuid
            instance_id="22222222-2222-2222-2222-222222222222",
            database_name="app_restore",
            triggers=[release],
        )
    """

    backup_id: pulumi.Output[str]
    instance_id: pulumi.Output[str]
    database_name: pulumi.Output[str | None]
    region: pulumi.Output[str | None]
    status: pulumi.Output[str | None]
    """Status of the backup restored from, when the restore was done (`ready`)."""

    def __init__(
        self,
        resource_name: str,
        *,
        backup_id: pulumi.Input[str],
        instance_id: pulumi.Input[str],
        database_name: pulumi.Input[str] | None = None,
        region: pulumi.Input[str] | None = None,
        triggers: Any = None,
        timeouts: pulumi.Input[dict[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "backup_id": backup_id, "instance_id": instance_id, "database_name": database_name,
            "region": region, "triggers": triggers, "timeouts": timeouts,
        }  # fmt: skip
        super().__init__(RdbBackupRestoreProvider(), resource_name, arguments, opts)
