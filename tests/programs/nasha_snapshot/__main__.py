"""A NashaCustomSnapshot; every input comes from config.

Config (project namespace): `name` (default nightly), `expiration`, `service_name` (default
zpool-000000), `partition_name` (default backups), `timeouts` (JSON).
"""

from __future__ import annotations

import pulumi

from pulumi_backups.ovh.nasha_custom_snapshot import NashaCustomSnapshot

config = pulumi.Config()

snapshot = NashaCustomSnapshot(
    "snapshot",
    service_name=config.get("service_name") or "zpool-000000",
    partition_name=config.get("partition_name") or "backups",
    name=config.get("name") or "nightly",
    expiration=config.get("expiration"),
    timeouts=config.get_object("timeouts"),
)
pulumi.export("snapshot_id", snapshot.id)
pulumi.export("expiration", snapshot.expiration)
