"""A hosting database, one backup of each kind and a NAS-HA schedule; inputs from config.

Config (project namespace):
- `database` (bool, default true): HostingDatabase `db` of user `user` (default sandboxsafe),
  engine `type` (default mysql), `deletion_protection` (default: the resource's own, on);
- `backups` (JSON list of `dump`, `snapshot`, `vps`, `rdb`; default none): HostingDatabaseDump
  `dump` of `db`, NashaCustomSnapshot `snapshot` named `snapshot_name` (default safety),
  VpsBackup `vpsbackup`, RdbBackup `rdbbackup` of database `rdb_database` (default app);
  `triggers` (JSON) go to the dump and the VPS backup;
- `frequencies` (JSON list): when set, NashaSnapshotPolicy `schedule` of zpool-000000/backups.
"""

from __future__ import annotations

import pulumi

from pulumi_backups.ovh.hosting_database import HostingDatabase
from pulumi_backups.ovh.hosting_database_dump import HostingDatabaseDump
from pulumi_backups.ovh.nasha_custom_snapshot import NashaCustomSnapshot
from pulumi_backups.ovh.nasha_snapshot_policy import NashaSnapshotPolicy
from pulumi_backups.scaleway import RdbBackup
from pulumi_backups.vps import VpsBackup

SERVICE = "sandbox.cluster000.hosting.ovh.net"
NAS = {"service_name": "zpool-000000", "partition_name": "backups"}

config = pulumi.Config()
backups = config.get_object("backups") or []
triggers = config.get_object("triggers")

if config.get_bool("database") is not False:
    db = HostingDatabase(
        "db",
        service_name=SERVICE,
        user=config.get("user") or "sandboxsafe",
        type=config.get("type") or "mysql",
        capability="sqlPerso",
        deletion_protection=config.get_bool("deletion_protection"),
    )
    pulumi.export("db_name", db.name)
    if "dump" in backups:
        HostingDatabaseDump("dump", service_name=SERVICE, database_name=db.name, triggers=triggers)

if "snapshot" in backups:
    NashaCustomSnapshot("snapshot", name=config.get("snapshot_name") or "safety", **NAS)

if "vps" in backups:
    VpsBackup("vpsbackup", server_id=12345, description="safety", triggers=triggers)

if "rdb" in backups:
    RdbBackup(
        "rdbbackup",
        instance_id="11111111-1111-1111-1111-111111111111",
        database_name=config.get("rdb_database") or "app",
    )

frequencies = config.get_object("frequencies")
if frequencies is not None:
    NashaSnapshotPolicy("schedule", frequencies=frequencies, **NAS)
