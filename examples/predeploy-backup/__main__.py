"""A new database dump and VPS backup whenever the application version changes.

Run `pulumi config set app_version 1.4.2 && pulumi up` before deploying 1.4.2: the version is
in the `triggers` of both backups, so a change replaces them (the new backup is taken first,
then the old one is deleted). With `keep_old_dumps` / `keep_old_vps_backups` set to true the
old ones are not deleted but only forgotten by the stack (`retain_on_delete`): they stay on
the provider's side until they expire or you delete them.

With `database_name` set, the dump is taken of that existing database; otherwise the program
creates one (user `database_user`), as the sandbox has none.
"""

from __future__ import annotations

import pulumi

from pulumi_backups import HostingDatabase, HostingDatabaseDump, VpsBackup
from pulumi_backups.examples import sandbox_default  # the sandbox's ids only against it

SANDBOX_HOSTING = "sandbox.cluster000.hosting.ovh.net"


config = pulumi.Config()
app_version = config.get("app_version") or "1.0.0"
hosting_service = sandbox_default(
    config.get("hosting_service"), "hosting_service", SANDBOX_HOSTING, "ovh"
)
vps_server = sandbox_default(config.get_int("vps_server"), "vps_server", 12345, "vps")
keep_old_dumps = config.get_bool("keep_old_dumps") or False
keep_old_vps_backups = config.get_bool("keep_old_vps_backups") or False

database_name: pulumi.Input[str]
existing = config.get("database_name")
if existing:
    database_name = existing
else:
    database = HostingDatabase(
        "app-db",
        service_name=hosting_service,
        user=config.get("database_user") or "sandboxpd",
        type="mysql",
        capability="sqlPerso",
        deletion_protection=config.get_bool("deletion_protection") or False,
    )
    database_name = database.name

dump = HostingDatabaseDump(
    "predeploy-dump",
    service_name=hosting_service,
    database_name=database_name,
    triggers=[app_version],
    opts=pulumi.ResourceOptions(retain_on_delete=keep_old_dumps),
)
backup = VpsBackup(
    "predeploy-backup",
    server_id=vps_server,
    description=f"before deploying {app_version}",
    triggers=[app_version],
    opts=pulumi.ResourceOptions(retain_on_delete=keep_old_vps_backups),
)

pulumi.export("app_version", app_version)
pulumi.export("database_name", database_name)
pulumi.export("dump", dump.id)
pulumi.export("dump_created", dump.creation_date)
pulumi.export("dump_deleted_automatically_on", dump.deletion_date)
pulumi.export("vps_backup", backup.id)
pulumi.export("vps_backup_created", backup.created_at)
