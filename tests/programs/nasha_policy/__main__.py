"""A NashaSnapshotPolicy; every input comes from config.

Config (project namespace): `frequencies` (JSON list, required), `restore_frequencies`
(JSON list), `service_name` (default zpool-000000), `partition_name` (default backups),
`timeouts` (JSON).
"""

from __future__ import annotations

import pulumi

from pulumi_backups.ovh.nasha_snapshot_policy import NashaSnapshotPolicy

config = pulumi.Config()

policy = NashaSnapshotPolicy(
    "schedule",
    service_name=config.get("service_name") or "zpool-000000",
    partition_name=config.get("partition_name") or "backups",
    frequencies=config.require_object("frequencies"),
    restore_frequencies=config.get_object("restore_frequencies"),
    timeouts=config.get_object("timeouts"),
)
pulumi.export("policy_id", policy.id)
pulumi.export("frequencies", policy.frequencies)
pulumi.export("initial_frequencies", policy.initial_frequencies)
