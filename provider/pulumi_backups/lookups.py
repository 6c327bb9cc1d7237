"""The look-ups' ``_output`` forms, as generated SDKs have them: each takes
``pulumi.Input``s (plain values or outputs of other resources) and returns a
``pulumi.Output`` of the look-up's typed answer, read once every input is known (in a
preview, an input still unknown leaves the answer unknown, and nothing is read).

The look-ups themselves live with their API (``ovh/lookups.py``,
``ovh/nasha/lookup_operations.py``, ``vps/lookups.py``, ``scaleway/lookups.py``), free of
Pulumi, so that the provider plugin serves the same code; this module is the Pulumi side.
"""

from __future__ import annotations

import pulumi

from .ovh.lookups import HostingDatabaseDumps, get_hosting_database_dumps
from .ovh.nasha.lookup_operations import (
    NashaCustomSnapshots,
    NashaSnapshotFrequencies,
    get_nasha_custom_snapshots,
    get_nasha_snapshot_frequencies,
)
from .scaleway.lookups import RdbBackups, get_rdb_backups
from .vps.lookups import VpsBackups, get_vps_backups


def get_hosting_database_dumps_output(
    service_name: pulumi.Input[str], database_name: pulumi.Input[str]
) -> pulumi.Output[HostingDatabaseDumps]:
    """:func:`~pulumi_backups.ovh.lookups.get_hosting_database_dumps` of inputs."""
    return pulumi.Output.all(service_name, database_name).apply(
        lambda a: get_hosting_database_dumps(*a)
    )


def get_nasha_custom_snapshots_output(
    service_name: pulumi.Input[str], partition_name: pulumi.Input[str]
) -> pulumi.Output[NashaCustomSnapshots]:
    """:func:`~pulumi_backups.ovh.nasha.lookup_operations.get_nasha_custom_snapshots` of
    inputs."""
    return pulumi.Output.all(service_name, partition_name).apply(
        lambda a: get_nasha_custom_snapshots(*a)
    )


def get_nasha_snapshot_frequencies_output(
    service_name: pulumi.Input[str], partition_name: pulumi.Input[str]
) -> pulumi.Output[NashaSnapshotFrequencies]:
    """:func:`~pulumi_backups.ovh.nasha.lookup_operations.get_nasha_snapshot_frequencies` of
    inputs."""
    return pulumi.Output.all(service_name, partition_name).apply(
        lambda a: get_nasha_snapshot_frequencies(*a)
    )


def get_vps_backups_output(
    server_id: pulumi.Input[int], backup_type: pulumi.Input[str | None] = None
) -> pulumi.Output[VpsBackups]:
    """:func:`~pulumi_backups.vps.lookups.get_vps_backups` of inputs."""
    return pulumi.Output.all(server_id, backup_type).apply(lambda a: get_vps_backups(*a))


def get_rdb_backups_output(
    region: pulumi.Input[str | None] = None,
    instance_id: pulumi.Input[str | None] = None,
    database_name: pulumi.Input[str | None] = None,
    name: pulumi.Input[str | None] = None,
) -> pulumi.Output[RdbBackups]:
    """:func:`~pulumi_backups.scaleway.lookups.get_rdb_backups` of inputs."""
    return pulumi.Output.all(region, instance_id, database_name, name).apply(
        lambda a: get_rdb_backups(*a)
    )
