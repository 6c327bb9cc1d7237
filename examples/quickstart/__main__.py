"""Quickstart: one program using every resource of pulumi-backups.

- an OVHcloud web hosting database, a dump taken before each deploy of `app_version`, and a
  restore of that dump;
- a NAS-HA snapshot schedule and a named (custom) snapshot;
- a VPS panel backup before each deploy, and a restore of it;
- a Scaleway RDB backup exported to a download link, restored into a second database.

Every knob has a default that targets the sandbox's seeded objects, so `make demo` (or
`pulumi up` on a stack configured with the sandbox's credentials) works as is. Credentials
come from the stack config or the environment, never from this file.
"""

from __future__ import annotations

import pulumi

from pulumi_backups import (
    HostingDatabase,
    HostingDatabaseDump,
    HostingDatabaseRestore,
    NashaCustomSnapshot,
    NashaSnapshotPolicy,
    RdbBackup,
    RdbBackupRestore,
    VpsBackup,
    VpsRestore,
)

config = pulumi.Config()
app_version = config.get("app_version") or "1.0.0"
hosting_service = config.get("hosting_service") or "sandbox.cluster000.hosting.ovh.net"
database_user = config.get("database_user") or "sandboxqs"
# Protection is off so that the quickstart can be destroyed; keep it on for real databases.
deletion_protection = config.get_bool("deletion_protection") or False
nas_service = config.get("nas_service") or "zpool-000000"
nas_partition = config.get("nas_partition") or "backups"
vps_server = config.get_int("vps_server") or 12345
rdb_instance = config.get("rdb_instance") or "11111111-1111-1111-1111-111111111111"
rdb_database = config.get("rdb_database") or "app"
rdb_restore_database = config.get("rdb_restore_database") or "app_restore"

# --- OVHcloud web hosting: a database, a pre-deploy dump, a restore of that dump ---------
database = HostingDatabase(
    "app-db",
    service_name=hosting_service,
    user=database_user,
    type="mysql",
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
HostingDatabaseRestore(
    "restore-predeploy-dump",
    service_name=hosting_service,
    database_name=database.name,
    dump_id=dump.dump_id,
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

# --- VPS panel: a backup before each deploy, and a restore of it -------------------------
vps_backup = VpsBackup(
    "web-backup",
    server_id=vps_server,
    description=f"before deploying {app_version}",
    triggers=[app_version],
)
VpsRestore("web-restore", server_id=vps_server, backup_id=vps_backup.backup_id)

# --- Scaleway RDB: a backup exported to a download link, restored into a second database -
rdb_backup = RdbBackup(
    "app-backup",
    instance_id=rdb_instance,
    database_name=rdb_database,
    name=f"app-{app_version}",
    export=True,
)
RdbBackupRestore(
    "app-restore",
    backup_id=rdb_backup.id,
    instance_id=rdb_instance,
    database_name=rdb_restore_database,
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
