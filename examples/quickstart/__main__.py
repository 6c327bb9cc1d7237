"""Quickstart: backups and snapshots of every kind pulumi-backups manages.

- an OVHcloud web hosting database and a dump taken before each deploy of `app_version`;
- a NAS-HA snapshot schedule and a named (custom) snapshot;
- a VPS panel backup before each deploy;
- a Scaleway RDB backup exported to a download link.

Nothing here restores anything: a restore overwrites data, so it belongs in a program that
says which backup it restores and when it runs again (see `examples/restore`). Replacing the
database (another `database_type`, with protection off) keeps its dumps: OVHcloud keeps them
30 days after the deletion, and the stack keeps them until they expire or it deletes them.

Every knob has a default that targets the sandbox's seeded objects, so `make demo` (or
`pulumi up` on a stack configured with the sandbox's credentials) works as is. Credentials
come from the stack config or the environment, never from this file.
"""

from __future__ import annotations

import pulumi

from pulumi_backups import (
    HostingDatabase,
    HostingDatabaseDump,
    NashaCustomSnapshot,
    NashaSnapshotPolicy,
    RdbBackup,
    VpsBackup,
)
from pulumi_backups.examples import sandbox_default  # the sandbox's ids only against it

SANDBOX_HOSTING = "sandbox.cluster000.hosting.ovh.net"
SANDBOX_INSTANCE = "11111111-1111-1111-1111-111111111111"

config = pulumi.Config()
app_version = config.get("app_version") or "1.0.0"
hosting_service = sandbox_default(
    config.get("hosting_service"), "hosting_service", SANDBOX_HOSTING, "ovh"
)
database_user = config.get("database_user") or "sandboxqs"
database_type = config.get("database_type") or "mysql"  # another type replaces the database
# Protection is off so that the quickstart can be destroyed; keep it on for real databases.
deletion_protection = config.get_bool("deletion_protection") or False
nas_service = sandbox_default(config.get("nas_service"), "nas_service", "zpool-000000", "ovh")
nas_partition = config.get("nas_partition") or "backups"
vps_server = sandbox_default(config.get_int("vps_server"), "vps_server", 12345, "vps")
rdb_instance = sandbox_default(
    config.get("rdb_instance"), "rdb_instance", SANDBOX_INSTANCE, "scaleway"
)
rdb_database = config.get("rdb_database") or "app"

# --- OVHcloud web hosting: a database and a pre-deploy dump ------------------------------
database = HostingDatabase(
    "app-db",
    service_name=hosting_service,
    user=database_user,
    type=database_type,
    capability="sqlPerso",
    password=config.get_secret("database_password"),
    deletion_protection=deletion_protection,
)
dump = HostingDatabaseDump(
    "predeploy-dump",
    service_name=hosting_service,
    database_name=database.name,
    triggers=[app_version],  # a new dump whenever the version changes
)

# --- NAS-HA: the snapshot schedule of a partition, and a named snapshot ------------------
policy = NashaSnapshotPolicy(
    "backups-schedule",
    service_name=nas_service,
    partition_name=nas_partition,
    frequencies=["hour-6", "day-1", "day-7"],
)
snapshot = NashaCustomSnapshot(
    "quickstart-snapshot",
    service_name=nas_service,
    partition_name=nas_partition,
    name=config.get("snapshot_name") or "quickstart",
)

# --- VPS panel: a backup before each deploy ----------------------------------------------
vps_backup = VpsBackup(
    "web-backup",
    server_id=vps_server,
    description=f"before deploying {app_version}",
    triggers=[app_version],
)

# --- Scaleway RDB: a backup exported to a download link ----------------------------------
rdb_backup = RdbBackup(
    "app-backup",
    instance_id=rdb_instance,
    database_name=rdb_database,
    name=f"app-{app_version}",
    export=True,
)

pulumi.export("database", database.id)
pulumi.export("database_server", pulumi.Output.format("{0}:{1}", database.server, database.port))
pulumi.export("dump_id", dump.dump_id)
pulumi.export("dump_deletion_date", dump.deletion_date)
pulumi.export("dump_url", dump.url)  # secret
pulumi.export("nas_frequencies", policy.frequencies)
pulumi.export("nas_frequencies_before", policy.initial_frequencies)
pulumi.export("nas_snapshot", snapshot.id)
pulumi.export("vps_backup", vps_backup.id)
pulumi.export("vps_backup_status", vps_backup.status)
pulumi.export("rdb_backup", rdb_backup.id)
pulumi.export("rdb_backup_size", rdb_backup.size)
pulumi.export("rdb_download_url", rdb_backup.download_url)  # secret
pulumi.export("rdb_download_url_expires_at", rdb_backup.download_url_expires_at)
