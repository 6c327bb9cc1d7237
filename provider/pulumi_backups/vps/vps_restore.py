"""VpsRestore: restore a VPS panel server from one of its backups.

Create asks the panel to restore the server from the backup. When the answer says the server
is restoring, the server is polled until it is ``running`` again (``failed`` / ``error`` fail
the create); a panel without the server route cannot be watched, so create then finishes at
once and ``status`` says the restore was not awaited. ``backup_id`` must be an integer
(``check`` refuses anything else; floats from the engine and digit strings are normalized).
``triggers`` restore again. A restore cannot be undone: delete only forgets it. The work
itself is in :mod:`.operations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.log
from pydantic import Field

from ..core.errors import BackupsError
from ..core.fields import IntegerId
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import DynamicResource
from . import operations
from .client import vps_client
from .models import RestoreRequest

ID_SHAPE = "{server_id}/restore/{backup_id}/{n}"


class VpsRestoreArgs(ResourceArgs):
    """Inputs of :class:`VpsRestore`."""

    server_id: IntegerId = Field(description="Id of the server to restore, e.g. 12345.")
    backup_id: IntegerId = Field(
        description="Integer id of the backup to restore from (e.g. a VpsBackup's backup_id)."
    )
    triggers: Any = Field(
        default=None, description="Any value; when it changes the server is restored again."
    )


class VpsRestoreProvider(BaseProvider[VpsRestoreArgs]):
    """Restore on create; read returns what was recorded; delete is a no-op."""

    kind = "VpsRestore"
    args_type = VpsRestoreArgs
    replace_on_change = frozenset({"server_id", "backup_id"})
    parent_fields = frozenset({"server_id"})  # not backup_id: a new backup

    def create_resource(self, args: VpsRestoreArgs) -> tuple[str, dict[str, Any]]:
        request = RestoreRequest(server_id=args.server_id, backup_id=args.backup_id)
        restore = operations.restore(vps_client(), request, self.wait_policy(args, "create"))
        n = int(restore.started_at.timestamp() * 1000)  # ms: ids differ across restores
        return join_id(args.server_id, "restore", args.backup_id, n), {"status": restore.status}

    def read_resource(
        self, id_: str, args: VpsRestoreArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        """A restore is an event, not an object: it reads back as recorded."""
        _id_parts(id_)
        return {"status": props.get("status")}

    def import_inputs(self, id_: str) -> dict[str, Any]:
        """The server and the backup, as the id records them: importing a restore records
        that it took place (a later ``up`` does not restore again)."""
        server_id, backup_id, _ = _id_parts(id_)
        return {"server_id": int(server_id), "backup_id": int(backup_id)}

    def update_resource(
        self, id_: str, olds: dict[str, Any], args: VpsRestoreArgs
    ) -> dict[str, Any]:
        # Only `timeouts` can change in place; everything else replaces.
        return {"status": olds.get("status")}

    def delete_resource(self, id_: str, args: VpsRestoreArgs, props: dict[str, Any]) -> None:
        """No API call: a restore cannot be undone; the server keeps the restored data."""
        _id_parts(id_)
        pulumi.log.info(
            f"VpsRestore {id_}: nothing to delete; server {args.server_id} keeps the data "
            f"restored from backup {args.backup_id}"
        )

    def describe(self, args: VpsRestoreArgs) -> str:
        return f"VpsRestore of server {args.server_id} from backup {args.backup_id}"


def _id_parts(resource_id: str) -> list[str]:
    """``[server_id, backup_id, n]`` of a restore's id; a BackupsError when malformed."""
    try:
        return split_id(resource_id, ID_SHAPE)
    except ValueError as err:
        raise BackupsError(f"malformed VpsRestore id {resource_id!r}: expected {ID_SHAPE}") from err


class VpsRestore(DynamicResource, module="vps", name="VpsRestore"):
    """Restores a VPS panel server from a backup when created (and again when ``triggers``
    change). The server's data is replaced by the backup's: use it deliberately.

    Create waits for the server to be ``running`` again when the panel reports it restoring.
    ``status`` is then ``completed``; it is the panel's own status when the panel reports the
    restore finished at once, and says "not awaited" when the panel offers no server status
    route. Destroying the resource changes nothing on the server. Id:
    ``{server_id}/restore/{backup_id}/{n}`` (``n``: the restore's start, ms since the epoch).

    Example::

        VpsRestore("rollback", server_id=12345, backup_id=501, triggers=["2025-01-16"])
    """

    server_id: pulumi.Output[int]
    backup_id: pulumi.Output[int]
    triggers: pulumi.Output[Any]
    status: pulumi.Output[str | None]
    """Status of the restore (`completed` once the server is back)."""

    def __init__(
        self,
        resource_name: str,
        *,
        server_id: pulumi.Input[int] | pulumi.Input[str],
        backup_id: pulumi.Input[int] | pulumi.Input[str],
        triggers: Any = None,
        timeouts: pulumi.Input[Mapping[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "server_id": server_id,
            "backup_id": backup_id,
            "triggers": triggers,
            "timeouts": timeouts,
        }
        super().__init__(VpsRestoreProvider(), resource_name, arguments, opts)
