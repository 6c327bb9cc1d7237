"""Every resource kind, several times over, each with inputs that name it (reliability tests).

Counts come from config (project namespace), so one program serves every reliability test:
`databases` (default 2), `dumps` per database (3), `schedules` (0 or 1, default 1),
`snapshots` (5), `vps_backups` (6), `rdb_backups` (7). The defaults declare 30 resources:
2 HostingDatabase, 6 HostingDatabaseDump, 1 HostingDatabaseRestore, 1 NashaSnapshotPolicy,
5 NashaCustomSnapshot, 6 VpsBackup, 1 VpsRestore, 7 RdbBackup, 1 RdbBackupRestore.

`adopt` is passed to the databases (a re-run after a create that failed once the database
existed takes it over, as an operator told so by the error would).

`generation` (default 1) is what an update changes: database passwords (updated in place),
the triggers of the first dump of each database and of the first two VPS backups
(replaced), the schedule (updated in place), the first snapshot's expiration (replaced,
the old one deleted first) and the names of the first three RDB backups (renamed in place).
The restores read from resources that no generation touches, so they stay as they are.
Every resource exports its id and the outputs that say which object it is.
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

SERVICE = "sandbox.cluster000.hosting.ovh.net"
NAS, PARTITION = "zpool-000000", "backups"
SERVER = 12345
INSTANCE = "11111111-1111-1111-1111-111111111111"
SCHEDULES = {1: ["day-1", "hour-6"], 2: ["day-1", "day-7", "hour-6"]}

config = pulumi.Config()
generation = config.get_int("generation") or 1


def count(key: str, default: int) -> int:
    value = config.get_int(key)
    return default if value is None else value


def export(key: str, resource: pulumi.CustomResource, **outputs: pulumi.Output) -> None:
    pulumi.export(key, {"id": resource.id, **outputs})


for d in range(count("databases", 2)):
    db = HostingDatabase(
        f"db{d}",
        service_name=SERVICE,
        user=f"sandboxr{d}",
        type="mysql",
        capability="sqlPerso",
        password=f"Gen{generation}passw0rd{d}",
        deletion_protection=False,
        adopt=config.get_bool("adopt"),
    )
    export(f"db{d}", db, name=db.name)
    dumps = []
    for i in range(count("dumps", 3)):
        dump = HostingDatabaseDump(
            f"db{d}-dump{i}",
            service_name=SERVICE,
            database_name=db.name,
            triggers=[generation] if i == 0 else None,
        )
        export(f"db{d}-dump{i}", dump, dump_id=dump.dump_id, database_name=dump.database_name)
        dumps.append(dump)
    if d == 0 and len(dumps) > 1:
        restore = HostingDatabaseRestore(
            "db0-restore", service_name=SERVICE, database_name=db.name, dump_id=dumps[1].dump_id
        )
        export("db0-restore", restore, task_id=restore.task_id)

if count("schedules", 1):
    policy = NashaSnapshotPolicy(
        "schedule", service_name=NAS, partition_name=PARTITION, frequencies=SCHEDULES[generation]
    )
    export("schedule", policy, frequencies=policy.frequencies)
for i in range(count("snapshots", 5)):
    snapshot = NashaCustomSnapshot(
        f"snapshot{i}",
        service_name=NAS,
        partition_name=PARTITION,
        name=f"reliability-{i}",
        expiration=f"2031-01-{generation:02d}" if i == 0 else None,
    )
    export(f"snapshot{i}", snapshot, name=snapshot.name)

vps_backups = []
for i in range(count("vps_backups", 6)):
    backup = VpsBackup(
        f"vps{i}",
        server_id=SERVER,
        description=f"reliability backup {i}",
        triggers=[generation] if i < 2 else None,
    )
    export(f"vps{i}", backup, backup_id=backup.backup_id, description=backup.description)
    vps_backups.append(backup)
if len(vps_backups) > 2:
    vps_restore = VpsRestore("vps-restore", server_id=SERVER, backup_id=vps_backups[-1].backup_id)
    export("vps-restore", vps_restore, status=vps_restore.status)

rdb_backups = []
for i in range(count("rdb_backups", 7)):
    suffix = f"-g{generation}" if i < 3 else ""
    rdb = RdbBackup(
        f"rdb{i}", instance_id=INSTANCE, database_name="app", name=f"reliability-{i}{suffix}"
    )
    export(f"rdb{i}", rdb, backup_id=rdb.backup_id, name=rdb.name)
    rdb_backups.append(rdb)
if len(rdb_backups) > 3:
    rdb_restore = RdbBackupRestore(
        "rdb-restore",
        backup_id=rdb_backups[-1].id,
        instance_id=INSTANCE,
        database_name="app_restore",
    )
    export("rdb-restore", rdb_restore, status=rdb_restore.status)
