"""VpsBackup: a manual backup of a VPS panel server.

Create starts the backup (201, ``in_progress``), waits until it is ``completed`` and reads it
back; a backup that ends ``failed``/``error`` or outlives its deadline is deleted before the
error is raised (or named in it when that delete fails), so nothing is left behind unknown.
The panel documents no detail route: a backup is read by listing its server's backups. Every
argument change replaces the backup (a backup cannot be edited); ``triggers`` make a new one,
which is created before the old one is deleted. Delete answers 204; 404 means already gone.
Delete agrees with read: it deletes only a backup the server in the id lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.dynamic
from pydantic import Field

from ..core.errors import ApiError, BackupsError, TaskFailedError
from ..core.fields import IntegerId
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import resource_props
from ..core.waiting import SYSTEM_CLOCK, Clock, WaitPolicy, wait_until
from .client import VpsClient, vps_client
from .models import Backup

ID_SHAPE = "{server_id}/{backup_id}"
OUTPUTS = (
    "backup_id",
    "backup_type",
    "status",
    "size_mb",
    "created_at",
    "expires_at",
    "server_name",
)


REFRESH_MAX_AGE = 2.0
"""Seconds a server's backup listing may serve the reads of one refresh."""


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


def await_backup(
    api: VpsClient, server_id: int, backup_id: int, policy: WaitPolicy, clock: Clock
) -> Backup:
    """Poll the server's backup list until ``backup_id`` is completed; fail on failed/error."""
    what = f"backup {backup_id} of server {server_id}"

    def fetch() -> Backup:
        found = api.find_backup(server_id, backup_id)
        if found is None:
            raise TaskFailedError(what, "missing", "it is no longer listed for the server")
        return found

    return wait_until(
        fetch,
        lambda b: b.done,
        what=what,
        status=lambda b: b.status,
        failed=lambda b: b.failed,
        detail=lambda b: b.message or "",
        policy=policy,
        clock=clock,
    )


def cleaned_up(api: VpsClient, server_id: int, backup_id: int, err: BackupsError) -> BackupsError:
    """Delete the backup a failed create left, and say in the error what became of it."""
    try:
        deleted = api.delete_backup(backup_id)
    except BackupsError as cleanup:
        return BackupsError(
            f"{err}; backup {backup_id} of server {server_id} was LEFT BEHIND because deleting it "
            f"failed ({cleanup}): delete it in the panel (DELETE /api/v1/backups/{backup_id}/)"
        )
    fate = "was deleted" if deleted else "no longer exists"
    return BackupsError(f"{err}; the unfinished backup {backup_id} {fate}")


class VpsBackupProvider(BaseProvider[VpsBackupArgs]):
    """CRUD of a manual VPS backup; see the module docstring for the contract."""

    kind = "VpsBackup"
    args_type = VpsBackupArgs
    replace_on_change = frozenset({"server_id", "description"})
    parent_fields = frozenset({"server_id"})
    default_timeout = 3600.0  # "may take several minutes depending on server size"

    def create_resource(
        self, args: VpsBackupArgs, client: VpsClient | None = None, clock: Clock = SYSTEM_CLOCK
    ) -> tuple[str, dict[str, Any]]:
        api = client or vps_client()
        try:
            started = api.create_backup(args.server_id, args.description)
        except ApiError as err:
            if not err.may_have_acted:
                raise
            raise BackupsError(
                f"{err}; the panel may have started a backup of server {args.server_id} "
                "anyway: check its manual backups before running again"
            ) from err
        try:
            backup = await_backup(
                api, args.server_id, started.id, self.wait_policy(args, "create"), clock
            )
        except BackupsError as err:
            raise cleaned_up(api, args.server_id, started.id, err) from err
        return join_id(args.server_id, backup.id), backup.outputs()

    def read_resource(
        self,
        id_: str,
        args: VpsBackupArgs,
        props: dict[str, Any],
        client: VpsClient | None = None,
    ) -> dict[str, Any] | None:
        server_id, backup_id = parse_backup_id(id_)
        found = (client or vps_client()).find_backup(server_id, backup_id, max_age=REFRESH_MAX_AGE)
        return None if found is None else found.outputs()

    def delete_resource(
        self,
        id_: str,
        args: VpsBackupArgs,
        props: dict[str, Any],
        client: VpsClient | None = None,
    ) -> None:
        """Delete the backup only when its server lists it, as read finds it: a backup the
        server in the id does not own is gone for this resource, and is left alone."""
        server_id, backup_id = parse_backup_id(id_)
        api = client or vps_client()
        if api.find_backup(server_id, backup_id) is None:
            return
        api.delete_backup(backup_id)  # False = gone since the listing: fine

    def describe(self, args: VpsBackupArgs) -> str:
        return f"VpsBackup on server {args.server_id}"


class VpsBackup(pulumi.dynamic.Resource, module="vps", name="VpsBackup"):
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
    backup_type: pulumi.Output[str]
    status: pulumi.Output[str]
    size_mb: pulumi.Output[float | None]
    created_at: pulumi.Output[str]
    expires_at: pulumi.Output[str | None]
    server_name: pulumi.Output[str]

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
        super().__init__(
            VpsBackupProvider(), resource_name, resource_props(arguments, OUTPUTS), opts
        )
