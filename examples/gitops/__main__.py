"""Backups reviewed like code: a pull request shows the plan, the main branch applies it.

The stack's settings live in `Pulumi.production.yaml` next to this file, committed; the
credentials do not: the pipeline (`github-workflow.yml` or `gitlab-ci.yml`) takes them from
the CI's secret store and hands them over as environment variables (OVH_*, SCW_*, VPS_*).
A pull request that changes `app_version` or `frequencies` gets `pulumi preview` (no call
to any API); merging it runs `pulumi up`.
"""

from __future__ import annotations

import pulumi

from pulumi_backups import NashaSnapshotPolicy, VpsBackup
from pulumi_backups.examples import sandbox_default  # the sandbox's ids only against it

config = pulumi.Config()
app_version = config.get("app_version") or "1.0.0"

schedule = NashaSnapshotPolicy(
    "files-schedule",
    service_name=sandbox_default(config.get("nas_service"), "nas_service", "zpool-000000", "ovh"),
    partition_name=config.get("nas_partition") or "backups",
    frequencies=config.get_object("frequencies") or ["hour-6", "day-1", "day-7"],
)
release_backup = VpsBackup(
    "release-backup",
    server_id=sandbox_default(config.get_int("vps_server"), "vps_server", 12345, "vps"),
    description=f"release {app_version}",
    triggers=[app_version],
)

pulumi.export("app_version", app_version)
pulumi.export("nas_frequencies", schedule.frequencies)
pulumi.export("release_backup", release_backup.id)
