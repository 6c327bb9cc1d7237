"""Every resource kind of pulumi-backups, grouped by API; inputs from config.

Config (project namespace): `apis` (JSON list of `hosting`, `nasha`, `vps`, `scaleway`;
default all four), `password` (secret: given as a secret Output), `plain_password` (given as
a plain string: the resource alone must keep it secret).

Resources: hosting: `db` (password secret), `dbplain` (password plain), `dump` of `db`,
`restore` of that dump; nasha: `schedule`, `snapshot`; vps: `vpsbackup`, `vpsrestore`;
scaleway: `rdbbackup` (exported: `download_url`), `rdbrestore`. Deletion protection is off
so that a destroy cleans up.
"""

from __future__ import annotations

import pulumi

from pulumi_backups.ovh.hosting_database import HostingDatabase
from pulumi_backups.ovh.hosting_database_dump import HostingDatabaseDump
from pulumi_backups.ovh.hosting_database_restore import HostingDatabaseRestore
from pulumi_backups.ovh.nasha_custom_snapshot import NashaCustomSnapshot
from pulumi_backups.ovh.nasha_snapshot_policy import NashaSnapshotPolicy
from pulumi_backups.scaleway import RdbBackup, RdbBackupRestore
from pulumi_backups.vps import VpsBackup, VpsRestore

SERVICE = "sandbox.cluster000.hosting.ovh.net"
INSTANCE = "11111111-1111-1111-1111-111111111111"

config = pulumi.Config()
apis = config.get_object("apis") or ["hosting", "nasha", "vps", "scaleway"]

if "hosting" in apis:
    db = HostingDatabase(
        "db",
        service_name=SERVICE,
        user="sandboxsec",
        type="mysql",
        capability="sqlPerso",
        password=config.get_secret("password"),
        deletion_protection=False,
    )
    dbplain = HostingDatabase(
        "dbplain",
        service_name=SERVICE,
        user="sandboxpln",
        type="mysql",
        capability="sqlPerso",
        password=config.get("plain_password"),
        deletion_protection=False,
    )
    dump = HostingDatabaseDump("dump", service_name=SERVICE, database_name=db.name)
    HostingDatabaseRestore(
        "restore", service_name=SERVICE, database_name=db.name, dump_id=dump.dump_id
    )
    pulumi.export("db_password", db.password)
    pulumi.export("dbplain_password", dbplain.password)
    pulumi.export("dump_url", dump.url)

if "nasha" in apis:
    NashaSnapshotPolicy(
        "schedule",
        service_name="zpool-000000",
        partition_name="backups",
        frequencies=["day-1", "hour-6"],
    )
    NashaCustomSnapshot(
        "snapshot", service_name="zpool-000000", partition_name="backups", name="secrets"
    )

if "vps" in apis:
    vps_backup = VpsBackup("vpsbackup", server_id=12345, description="secrets")
    VpsRestore("vpsrestore", server_id=12345, backup_id=vps_backup.backup_id)

if "scaleway" in apis:
    rdb_backup = RdbBackup("rdbbackup", instance_id=INSTANCE, database_name="app", export=True)
    RdbBackupRestore(
        "rdbrestore", backup_id=rdb_backup.id, instance_id=INSTANCE, database_name="app_restore"
    )
    pulumi.export("download_url", rdb_backup.download_url)
