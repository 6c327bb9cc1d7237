"""VpsBackup: a manual backup of a VPS panel server.

Create starts the backup (201, ``in_progress``), checks that the answer is about the backup
it made (server, description, an id not listed before); an answer lost, garbled or about
another backup is not believed, and the backup made is the one new backup of the server and
description the listing shows (several: an error naming them, none taken). It waits until
it is ``completed`` and reads it back; a backup that ends ``failed``/``error`` or outlives
its deadline is deleted before the error is raised (or named in it when that delete fails),
so nothing is left behind unknown. Under the provider plugin, a backup that outlives the
deadline is kept in the state instead (IncompleteCreateError), and the next ``up``'s update
waits for it to complete.
The panel documents no detail route: a backup is read by listing its server's backups, and
is gone only when two consistent listings do not list it. Every argument change replaces the
backup (a backup cannot be edited); ``triggers`` make a new one, which is created before the
old one is deleted. Delete answers 204; the panel's 404 means already gone. Delete agrees
with read: it deletes only a backup the server in the id lists. The work itself is in
:mod:`.operations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import Field

from ..core.errors import BackupsError
from ..core.fields import IntegerId
from ..core.ids import join_id, split_id
from ..core.partial import IncompleteCreateError
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import DynamicResource
from . import operations
from .client import vps_client
from .models import Backup, CreateBackupRequest

ID_SHAPE = "{server_id}/{backup_id}"


class VpsBackupArgs(ResourceArgs):
    """Inputs of :class:`VpsBackup`."""

    server_id: IntegerId = Field(description="Id of the server to back up, e.g. 12345.")
    description: str | None = Field(
        default=None, description="Free text stored with the backup, e.g. 'Pre-deployment backup'."
    )
    triggers: Any = Field(
        default=None,
        description="Any value; when it changes a new backup is made (before the old one goes).",
    )


def parse_backup_id(resource_id: str) -> tuple[int, int]:
    """``(server_id, backup_id)`` out of a ``{server_id}/{backup_id}`` id."""
    try:
        server_id, backup_id = (int(part) for part in split_id(resource_id, ID_SHAPE))
    except ValueError as err:
        raise BackupsError(f"malformed VpsBackup id {resource_id!r}: expected {ID_SHAPE}") from err
    return server_id, backup_id


def outputs(backup: Backup) -> dict[str, Any]:
    """The outputs of the resource, taken from the backup as the panel lists it."""
    size = backup.size_mb
    return {
        "backup_id": backup.id,
        "backup_type": backup.backup_type,
        "status": backup.status,
        "size_mb": int(size) if size is not None and size.is_integer() else size,
        "created_at": backup.created_at,
        "expires_at": backup.expires_at,
        "server_name": backup.server.name,
    }


class VpsBackupProvider(BaseProvider[VpsBackupArgs]):
    """CRUD of a manual VPS backup; see the module docstring for the contract."""

    kind = "VpsBackup"
    args_type = VpsBackupArgs
    replace_on_change = frozenset({"server_id", "description"})
    parent_fields = frozenset({"server_id"})
    default_timeout = 3600.0  # "may take several minutes depending on server size"

    def create_resource(self, args: VpsBackupArgs) -> tuple[str, dict[str, Any]]:
        request = CreateBackupRequest(server_id=args.server_id, description=args.description)
        policy = self.wait_policy(args, "create")
        try:
            backup = operations.create_backup(vps_client(), request, policy)
        except operations.Unfinished as err:
            made = join_id(args.server_id, err.backup.id)
            raise IncompleteCreateError(made, outputs(err.backup), err.cause) from err.cause
        return join_id(args.server_id, backup.id), outputs(backup)

    def read_resource(
        self, id_: str, args: VpsBackupArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        server_id, backup_id = parse_backup_id(id_)
        found = operations.read_backup(vps_client(), server_id, backup_id)
        return None if found is None else outputs(found)

    def update_resource(
        self, id_: str, olds: dict[str, Any], args: VpsBackupArgs
    ) -> dict[str, Any]:
        """Only ``timeouts`` change in place: the backup is read back, and awaited until
        ``completed`` when a create kept it unfinished."""
        server_id, backup_id = parse_backup_id(id_)
        request = CreateBackupRequest(server_id=server_id, description=args.description)
        policy = self.wait_policy(args, "update")
        return outputs(operations.finish_backup(vps_client(), request, backup_id, policy))

    def delete_resource(self, id_: str, args: VpsBackupArgs, props: dict[str, Any]) -> None:
        """Delete the backup only when the server in the id lists it (as read finds it)."""
        server_id, backup_id = parse_backup_id(id_)
        operations.delete_backup(vps_client(), server_id, backup_id)

    def import_inputs(self, id_: str) -> dict[str, Any]:
        server_id, backup_id = parse_backup_id(id_)
        backup = operations.read_backup(vps_client(), server_id, backup_id)
        if backup is None:
            raise BackupsError(f"server {server_id} lists no manual backup {backup_id} to import")
        return {"server_id": server_id, "description": backup.description}

    def describe(self, args: VpsBackupArgs) -> str:
        return f"VpsBackup on server {args.server_id}"


class VpsBackup(DynamicResource, module="vps", name="VpsBackup"):
    """A manual backup of a VPS panel server, made when the resource is created.

    The backup is awaited until ``completed``; any argument change replaces it, and changing
    ``triggers`` makes a new backup (the new one is made before the old one is deleted).
    Destroying the resource deletes the backup. Id: ``{server_id}/{backup_id}``.

    Example (a backup before each deployment)::

        backup = VpsBackup("pre-deploy", server_id=12345,
                           description="Pre-deployment backup", triggers=[app_version])
    """

    server_id: pulumi.Output[int]
    description: pulumi.Output[str | None]
    triggers: pulumi.Output[Any]
    backup_id: pulumi.Output[int]
    """Id of the backup on the panel (what `VpsRestore` takes as `backup_id`)."""
    backup_type: pulumi.Output[str]
    """Type of the backup (`manual` for the backups this resource makes)."""
    status: pulumi.Output[str]
    """Status of the backup (`completed` once usable)."""
    size_mb: pulumi.Output[float | None]
    """Size of the backup in MB, once the panel knows it."""
    created_at: pulumi.Output[str]
    """When the panel made the backup (ISO 8601)."""
    expires_at: pulumi.Output[str | None]
    """When the panel deletes the backup by itself, if ever (ISO 8601)."""
    server_name: pulumi.Output[str]
    """Name of the server backed up."""

    def __init__(
        self,
        resource_name: str,
        *,
        server_id: pulumi.Input[int] | pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        triggers: Any = None,
        timeouts: pulumi.Input[Mapping[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "server_id": server_id,
            "description": description,
            "triggers": triggers,
            "timeouts": timeouts,
        }
        super().__init__(VpsBackupProvider(), resource_name, arguments, opts)
