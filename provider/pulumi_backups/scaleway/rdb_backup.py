"""``RdbBackup``: a logical backup of one database of a Scaleway Managed Database instance.

Id ``{region}/{uuid}``. The region is resolved at create (argument, then stack config,
environment, profile, ``fr-par``) and kept. Without ``name``, the backup is named
``{database_name}-{YYYYmmdd-HHMMSS}`` (UTC, at creation) and keeps that name: a name or a region
left out never causes a change. ``name`` and ``expires_at`` change in place (PATCH; an expiry
cannot be removed); ``instance_id``, ``database_name`` and ``region`` replace the backup.
With ``export``, a download link that has expired (or expires within
:data:`LINK_MARGIN_SECONDS`) is renewed by an update, never by a read: a refresh reports it
gone (``download_url`` None), Diff then plans an update, visible in the preview.
The work itself is in :mod:`.operations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pulumi
from pulumi.dynamic import DiffResult
from pydantic import Field, ValidationInfo, field_validator

from ..core.errors import BackupsError
from ..core.fields import PathSegment, parse_datetime, refuse_if_past
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import DynamicResource
from ..core.waiting import utc_now
from . import operations
from .args import region_value, timestamp_value, uuid_value
from .client import rdb_client
from .models import (
    KNOWN,
    LINK_MARGIN_SECONDS,
    Backup,
    CreateBackupRequest,
    UpdateBackupRequest,
    link_lasts,
)
from .waiters import backup_ref

ID_SHAPE = "{region}/{backup_id}"
COMPUTED_WHEN_ABSENT = ("name", "region")
REPLACING = frozenset({"instance_id", "database_name", "region"})


class RdbBackupArgs(ResourceArgs):
    """Inputs of an RdbBackup."""

    instance_id: str = Field(description="UUID of the Database Instance to back up.")
    database_name: PathSegment = Field(min_length=1, description="Name of the database to back up.")
    name: PathSegment | None = Field(
        default=None,
        min_length=1,
        description="Backup name; default `{database_name}-{YYYYmmdd-HHMMSS}` (UTC, at "
        "creation), kept afterwards. Renames in place.",
    )
    expires_at: str | None = Field(
        default=None,
        description="RFC 3339 expiry, in the future (the backup is then deleted by Scaleway); "
        "changes in place, but cannot be removed once set.",
    )
    region: str | None = Field(
        default=None,
        description="fr-par, nl-ams or pl-waw; default: stack config `scaleway:region`, "
        "SCW_DEFAULT_REGION, the profile's default_region, then fr-par.",
    )
    export: bool = Field(
        default=False,
        description="Export the backup once ready and expose `download_url` (secret, about "
        "24 h); an expired link is renewed by the next update (a refresh reports it).",
    )

    _uuid = field_validator("instance_id")(uuid_value)
    _region = field_validator("region")(region_value)
    _expiry = field_validator("expires_at")(timestamp_value)

    @field_validator("expires_at")
    @classmethod
    def _expiry_ahead(cls, value: str | None, info: ValidationInfo) -> str | None:
        why = "Scaleway would delete the backup at once; give a later date"
        return refuse_if_past(value, info, lambda v, now: parse_datetime(v) <= now, why)

    def cross_check(self, olds: Mapping[str, Any]) -> list[tuple[str, str]]:
        replaced = any(olds.get(k) != getattr(self, k) for k in REPLACING if olds.get(k))
        if olds.get("expires_at") and self.expires_at is None and not replaced:
            return [
                (
                    "expires_at",
                    "an expiry cannot be removed once set: the Scaleway API only accepts a "
                    "new date. Give a later date, or let a new backup take this one's place "
                    "(give the resource another name in the program).",
                )
            ]
        return []


def default_name(database_name: str, now: datetime) -> str:
    """The name given to a backup created without one."""
    return f"{database_name}-{now:%Y%m%d-%H%M%S}"


class RdbBackupProvider(BaseProvider[RdbBackupArgs]):
    """CRUD of RDB backups through :class:`~pulumi_backups.scaleway.client.RdbClient`."""

    kind = "RdbBackup"
    args_type = RdbBackupArgs
    secrets = frozenset({"download_url"})
    replace_on_change = REPLACING
    parent_fields = REPLACING  # the instance, its database and region
    default_timeout = 3600.0

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any], now: datetime | None = None
    ) -> DiffResult:
        """As :meth:`BaseProvider.diff`, and an update when an exported backup's link is
        missing or expires within :data:`LINK_MARGIN_SECONDS` of ``now`` (default: the wall
        clock, as for ``check``; no client here: a diff stays offline): the update renews it."""
        link_due = news.get("export") is True and olds.get("export") is True
        link_due = link_due and _link_due(olds, now or utc_now())
        # A name or region left out keeps what was chosen at create, whatever config says now.
        olds = {
            k: v for k, v in olds.items() if not (k in COMPUTED_WHEN_ABSENT and news.get(k) is None)
        }
        result = super().diff(_id, olds, news)
        if link_due and not result.changes:
            result.changes = True
        return result

    def describe(self, args: RdbBackupArgs) -> str:
        label = f" {args.name!r}" if args.name else ""
        return f"RdbBackup{label} of {args.database_name} on instance {args.instance_id}"

    def create_resource(self, args: RdbBackupArgs) -> tuple[str, dict[str, Any]]:
        client, region = rdb_client(args.region)
        request = CreateBackupRequest(
            instance_id=args.instance_id,
            database_name=args.database_name,
            name=args.name or default_name(args.database_name, client.clock.utc()),
            expires_at=parse_datetime(args.expires_at) if args.expires_at else None,
        )
        policy = self.wait_policy(args, "create")
        backup = operations.create(client, region, request, export=args.export, policy=policy)
        return join_id(region, backup.id), outputs(backup, args)

    def read_resource(
        self, id_: str, args: RdbBackupArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Outputs as the API has them; None once gone (or deleting). Nothing is renewed
        here: an expired link is reported as no link, for the next update to renew."""
        region, backup_id = split_id(id_, ID_SHAPE)
        client, _ = rdb_client(region)
        backup = operations.read(client, region, backup_id, known(props))
        return outputs(backup, args) if backup is not None else None

    def import_inputs(self, id_: str) -> dict[str, Any]:
        """The backup's own arguments; exported when it has a download link."""
        region, backup_id = split_id(id_, ID_SHAPE)
        client, _ = rdb_client(region)
        backup = operations.read(client, region, backup_id)
        if backup is None:
            raise BackupsError(f"no backup {backup_id} in {region} to import")
        expires = backup.expires_at.isoformat() if backup.expires_at else None
        return {
            "instance_id": backup.instance_id, "database_name": backup.database_name,
            "name": backup.name, "region": region, "expires_at": expires,
            "export": backup.download_url is not None,
        }  # fmt: skip

    def update_resource(
        self, id_: str, olds: dict[str, Any], args: RdbBackupArgs
    ) -> dict[str, Any]:
        region, backup_id = split_id(id_, ID_SHAPE)
        client, _ = rdb_client(region)
        request = UpdateBackupRequest(
            name=args.name if args.name and args.name != olds.get("name") else None,
            expires_at=(
                parse_datetime(args.expires_at)
                if args.expires_at and args.expires_at != olds.get("expires_at")
                else None
            ),
        )
        policy = self.wait_policy(args, "update")
        expect = known(olds)
        backup = operations.update(
            client, region, backup_id, request, export=args.export, policy=policy, known=expect
        )
        return outputs(backup, args)

    def delete_resource(self, id_: str, args: RdbBackupArgs, props: dict[str, Any]) -> None:
        region, backup_id = split_id(id_, ID_SHAPE)
        client, _ = rdb_client(region)
        operations.delete(client, region, backup_id, self.wait_policy(args, "delete"))


def outputs(backup: Backup, args: RdbBackupArgs) -> dict[str, Any]:
    """The outputs of the resource: the backup as read, a download link only when exported
    and still valid (:meth:`Backup.outputs`). A server clock too far off to judge the link
    by is said in a warning."""
    if args.export and backup.clock_note:
        pulumi.log.warn(f"RdbBackup {backup_ref(backup.region, backup.id)}: {backup.clock_note}")
    return backup.outputs(args.export)


def known(props: Mapping[str, Any]) -> dict[str, object]:
    """What the state says of a backup beyond its id, which every answer about it must say
    too: its instance, database and creation date. Not its name: a rename outside Pulumi is
    drift, which a refresh shows and the next update corrects."""
    return {k: props[k] for k in KNOWN if k != "name" and props.get(k) is not None}


def _link_due(olds: Mapping[str, Any], now: datetime) -> bool:
    """Whether the stored link is missing or expires within the margin of ``now``."""
    if not olds.get("download_url") or not olds.get("download_url_expires_at"):
        return True
    try:
        expires = parse_datetime(str(olds["download_url_expires_at"]))
    except ValueError:
        return True
    return not link_lasts(expires, now, LINK_MARGIN_SECONDS)


class RdbBackup(DynamicResource, module="scaleway", name="RdbBackup"):
    """A backup of one database of a Scaleway Managed Database (RDB) instance.

    Created and awaited until ``ready``; ``export=True`` also exports it and exposes a
    presigned ``download_url`` (secret), renewed by the first ``up`` after it has expired.

    Example::

        backup = RdbBackup(
            "nightly",
            instance_id="11111111-1111-1111-1111-111111111111",
            database_name="app",
            expires_at="2030-01-31T00:00:00Z",
            export=True,
        )
        pulumi.export("dump_url", backup.download_url)
    """

    instance_id: pulumi.Output[str]
    database_name: pulumi.Output[str]
    export: pulumi.Output[bool]
    backup_id: pulumi.Output[str]
    """UUID of the backup (the id is `{region}/{backup_id}`)."""
    name: pulumi.Output[str]
    region: pulumi.Output[str]
    status: pulumi.Output[str]
    """Status of the backup (`ready` once usable)."""
    size: pulumi.Output[int | None]
    """Size of the backup in bytes, once Scaleway knows it."""
    expires_at: pulumi.Output[str | None]
    created_at: pulumi.Output[str]
    """When Scaleway made the backup (RFC 3339)."""
    updated_at: pulumi.Output[str | None]
    """When Scaleway last changed the backup (RFC 3339)."""
    instance_name: pulumi.Output[str]
    """Name of the Database Instance backed up."""
    same_region: pulumi.Output[bool]
    """Whether the backup is stored in the region of its instance."""
    download_url: pulumi.Output[str | None]
    """Download link of the exported backup (secret), when `export` is on."""
    download_url_expires_at: pulumi.Output[str | None]
    """When the download link stops working (RFC 3339)."""

    def __init__(
        self,
        resource_name: str,
        *,
        instance_id: pulumi.Input[str],
        database_name: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        expires_at: pulumi.Input[str] | None = None,
        region: pulumi.Input[str] | None = None,
        export: pulumi.Input[bool] = False,
        timeouts: pulumi.Input[dict[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "instance_id": instance_id, "database_name": database_name, "name": name,
            "expires_at": expires_at, "region": region, "export": export, "timeouts": timeouts,
        }  # fmt: skip
        super().__init__(RdbBackupProvider(), resource_name, arguments, opts)
