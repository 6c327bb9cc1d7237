"""A VPS backup and a NAS-HA snapshot schedule, served by the provider plugin through the
Python SDK generated from its schema (`pulumi_backups_sdk`), not the dynamic resources."""

from __future__ import annotations

import pulumi
import pulumi_backups_sdk as backups

nightly = backups.vps.VpsBackup(
    "nightly",
    server_id=12345,
    description="Nightly backup, through the generated SDK",
)
schedule = backups.ovh.NashaSnapshotPolicy(
    "schedule",
    service_name="zpool-000000",
    partition_name="backups",
    frequencies=["hour-6", "day-1"],
)

pulumi.export("vpsBackup", nightly.backup_id)
pulumi.export("frequencies", schedule.frequencies)
