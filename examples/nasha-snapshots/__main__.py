"""The snapshot schedule of a NAS-HA partition, and a named snapshot before a migration.

`NashaSnapshotPolicy` owns the partition's whole schedule: after `pulumi up` the partition
takes snapshots at exactly `frequencies`; `pulumi destroy` puts back the schedule found on
creation (`initial_frequencies`). `NashaCustomSnapshot` is a read-only, named snapshot,
reachable under `<partition>/.zfs/snapshot/<name>`; changing its name or expiration replaces it.
"""

from __future__ import annotations

import pulumi

from pulumi_backups import NashaCustomSnapshot, NashaSnapshotPolicy
from pulumi_backups.examples import sandbox_default  # the sandbox's ids only against it

config = pulumi.Config()
service = sandbox_default(config.get("nas_service"), "nas_service", "zpool-000000", "ovh")
partition = config.get("nas_partition") or "backups"
frequencies = config.get_object("frequencies") or ["hour-1", "day-1", "day-7"]

policy = NashaSnapshotPolicy(
    "schedule",
    service_name=service,
    partition_name=partition,
    frequencies=frequencies,
)
snapshot = NashaCustomSnapshot(
    "before-migration",
    service_name=service,
    partition_name=partition,
    name=config.get("snapshot_name") or "before-migration",
    expiration=config.get("snapshot_expiration"),  # ISO 8601; none: kept until deleted
)

pulumi.export("frequencies", policy.frequencies)
pulumi.export("frequencies_restored_on_destroy", policy.initial_frequencies)
pulumi.export("snapshot", snapshot.id)
pulumi.export(
    "snapshot_path", pulumi.Output.format("{0}/.zfs/snapshot/{1}", partition, snapshot.name)
)
pulumi.export("snapshot_expiration", snapshot.expiration)
