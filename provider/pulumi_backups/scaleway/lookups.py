"""Look-up of the backups of Scaleway Managed Databases, newest first (:func:`get_rdb_backups`,
its ``_output`` form in :mod:`pulumi_backups.lookups`; the plugin serves it as
``backups:scaleway:getRdbBackups``).

Every page of the listing is read (:meth:`.client.RdbClient.list_backups`): an entry the
filters exclude, or pages that disagree with their count, are errors, never a shorter list.
The API filters by instance and by a part of the name; the database is filtered here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from ..core.fields import PathSegment
from ..core.lookups import Freshness, freshness, newest_first
from .args import region_value, uuid_value
from .client import rdb_client
from .models import READY, Backup


class GetRdbBackupsArgs(BaseModel):
    """Inputs of :func:`get_rdb_backups`."""

    region: str | None = Field(
        default=None,
        description="fr-par, nl-ams or pl-waw; default: stack config `scaleway:region`, "
        "SCW_DEFAULT_REGION, the profile's default_region, then fr-par.",
    )
    instance_id: str | None = Field(
        default=None, description="UUID of a Database Instance: its backups only."
    )
    database_name: PathSegment | None = Field(
        default=None, description="Backups of this database only."
    )
    name: str | None = Field(default=None, description="Backups whose name contains this only.")

    _uuid = field_validator("instance_id")(lambda v: None if v is None else uuid_value(v))
    _region = field_validator("region")(region_value)


class RdbBackupSummary(BaseModel):
    """A Managed Database backup as listed (dates in RFC 3339, size in bytes)."""

    id: str = Field(description="UUID of the backup.")
    instance_id: str = Field(description="UUID of its Database Instance.")
    database_name: str = Field(description="The database backed up.")
    name: str = Field(description="Name of the backup.")
    status: str = Field(description="`ready` once usable; creating, exporting, error, ...")
    size: int | None = Field(default=None, description="Bytes; null while being made.")
    created_at: str | None = Field(default=None, description="When it was made.")
    expires_at: str | None = Field(default=None, description="When Scaleway deletes it.")
    instance_name: str | None = Field(default=None, description="Name of its instance.")
    region: str = Field(description="Its region.")

    @classmethod
    def of(cls, backup: Backup) -> RdbBackupSummary:
        outs: dict[str, Any] = backup.outputs(export=False)
        fields = ("status", "size", "created_at", "expires_at", "instance_name", "region")
        return cls(
            id=backup.id, instance_id=backup.instance_id, database_name=backup.database_name,
            name=backup.name, **{key: outs[key] for key in fields},
        )  # fmt: skip


class RdbBackups(Freshness):
    """Managed Database backups, newest first, with the newest ready one's date and age."""

    region: str = Field(description="The region listed.")
    instance_id: str | None = Field(default=None, description="The instance (null: all).")
    database_name: str | None = Field(default=None, description="The database (null: all).")
    name: str | None = Field(default=None, description="The part of the name (null: any).")
    backups: list[RdbBackupSummary] = Field(description="The backups, newest first.")


def get_rdb_backups(
    region: str | None = None,
    instance_id: str | None = None,
    database_name: str | None = None,
    name: str | None = None,
) -> RdbBackups:
    """The backups of a region (of ``instance_id``, of ``database_name``, whose name contains
    ``name``, when given), newest first; the newest usable one is the newest ``ready``.
    Credentials come from stack config (``scaleway:*``), ``SCW_*`` or the CLI's config file."""
    args = GetRdbBackupsArgs(
        region=region, instance_id=instance_id, database_name=database_name, name=name
    )
    client, chosen = rdb_client(args.region)
    listed = client.list_backups(chosen, instance_id=args.instance_id, name=args.name)
    wanted = [b for b in listed if args.database_name in (None, b.database_name)]
    summaries = [RdbBackupSummary.of(b) for b in wanted]
    backups = newest_first(summaries, lambda b: b.created_at, lambda b: b.id)
    usable = [b.created_at for b in backups if b.status == READY]
    return RdbBackups(
        **{**args.model_dump(), "region": chosen},
        backups=backups,
        **freshness(usable, client.clock),
    )
