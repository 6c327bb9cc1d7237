"""Restores of a hosting database, a VPS and a Scaleway RDB database: each runs once.

A restore resource is an action, not an object. `pulumi up` runs it when the resource is
created; it runs again only when the program changes one of its inputs:

- its `triggers` (here the `restore_round` setting): the same backup, restored again;
- what it restores (`dump_id` or `date`; `backup_id`): another backup;
- where it restores into (another service, database name, server or instance).

Nothing else runs it again: not a deploy, not `pulumi refresh`, not a backup that expires,
and not the replacement of the database under the same name (another `database_type` with
protection off): the new database starts empty and is not restored into. Removing a restore
from the program changes nothing on the data.

So a restore must name a fixed backup. Restoring `dump.dump_id` of a dump whose `triggers`
change at each deploy would restore a new dump at each deploy. Here each backup is taken once
(no `triggers`), or given by id (`dump_id`, `vps_backup_id`, `rdb_backup_id`) to restore one
taken elsewhere, e.g. by `examples/predeploy-backup`.
"""

from __future__ import annotations

import pulumi

from pulumi_backups import (
    HostingDatabase,
    HostingDatabaseDump,
    HostingDatabaseRestore,
    RdbBackup,
    RdbBackupRestore,
    VpsBackup,
    VpsRestore,
)
from pulumi_backups.examples import sandbox_default  # the sandbox's ids only against it

SANDBOX_HOSTING = "sandbox.cluster000.hosting.ovh.net"
SANDBOX_INSTANCE = "11111111-1111-1111-1111-111111111111"

config = pulumi.Config()
rounds = [config.get("restore_round") or "1"]  # change it to restore the same backups again
hosting_service = sandbox_default(
    config.get("hosting_service"), "hosting_service", SANDBOX_HOSTING, "ovh"
)
vps_server = sandbox_default(config.get_int("vps_server"), "vps_server", 12345, "vps")
rdb_instance = sandbox_default(
    config.get("rdb_instance"), "rdb_instance", SANDBOX_INSTANCE, "scaleway"
)

# --- OVHcloud web hosting: a dump restored into its database ----------------------------
database_name: pulumi.Input[str]
existing = config.get("database_name")
if existing:
    database_name = existing
else:
    database = HostingDatabase(
        "app-db",
        service_name=hosting_service,
        user=config.get("database_user") or "sandboxrs",
        type=config.get("database_type") or "mysql",
        capability="sqlPerso",
        deletion_protection=config.get_bool("deletion_protection") or False,
    )
    database_name = database.name

dump_id: pulumi.Input[int]
given_dump = config.get_int("dump_id")
if given_dump:
    dump_id = given_dump
else:
    dump = HostingDatabaseDump(
        "restore-point", service_name=hosting_service, database_name=database_name
    )
    dump_id = dump.dump_id
database_restore = HostingDatabaseRestore(
    "database-restore",
    service_name=hosting_service,
    database_name=database_name,
    dump_id=dump_id,
    triggers=rounds,
)

# --- VPS panel: a backup restored onto its server ----------------------------------------
vps_backup_id: pulumi.Input[int]
given_vps_backup = config.get_int("vps_backup_id")
if given_vps_backup:
    vps_backup_id = given_vps_backup
else:
    vps_backup_id = VpsBackup(
        "server-restore-point", server_id=vps_server, description="restore point"
    ).backup_id
server_restore = VpsRestore(
    "server-restore", server_id=vps_server, backup_id=vps_backup_id, triggers=rounds
)

# --- Scaleway RDB: a backup restored into a second database of the instance --------------
rdb_backup_id: pulumi.Input[str]
given_rdb_backup = config.get("rdb_backup_id")
if given_rdb_backup:
    rdb_backup_id = given_rdb_backup
else:
    rdb_backup_id = RdbBackup(
        "rdb-restore-point",
        instance_id=rdb_instance,
        database_name=config.get("rdb_database") or "app",
    ).id
rdb_restore = RdbBackupRestore(
    "rdb-restore",
    backup_id=rdb_backup_id,  # "{region}/{uuid}"
    instance_id=rdb_instance,
    database_name=config.get("rdb_restore_database") or "app_restore",
    triggers=rounds,
)

pulumi.export("database_name", database_name)
pulumi.export("restored_dump", dump_id)
pulumi.export("database_restore_task", database_restore.task_id)
pulumi.export("server_restore_status", server_restore.status)
pulumi.export("rdb_restore_status", rdb_restore.status)
