"""A HostingDatabase, `dumps` HostingDatabaseDumps of it, and with `restore` set a
HostingDatabaseRestore of the first dump (or of `restore_date`); inputs from config.

Config (project namespace): `user` (default sandboxapp), `type` (mysql), `capability`
(sqlPerso), `version`, `quota`, `password` (secret), `deletion_protection`, `adopt`,
`timeouts` (JSON); `dumps` (count, default 0), `dump_date`, `dump_triggers` (JSON),
`dump_timeouts` (JSON); `restore` (bool), `restore_date`, `restore_triggers` (JSON).
"""

from __future__ import annotations

import pulumi

from pulumi_backups.ovh.hosting_database import HostingDatabase
from pulumi_backups.ovh.hosting_database_dump import HostingDatabaseDump
from pulumi_backups.ovh.hosting_database_restore import HostingDatabaseRestore

SERVICE = "sandbox.cluster000.hosting.ovh.net"
config = pulumi.Config()

db = HostingDatabase(
    "db",
    service_name=SERVICE,
    user=config.get("user") or "sandboxapp",
    type=config.get("type") or "mysql",
    capability=config.get("capability") or "sqlPerso",
    version=config.get("version"),
    quota=config.get_int("quota"),
    password=config.get_secret("password"),
    deletion_protection=config.get_bool("deletion_protection"),
    adopt=config.get_bool("adopt"),
    timeouts=config.get_object("timeouts"),
)
pulumi.export("db_id", db.id)
pulumi.export("db_name", db.name)
pulumi.export("db_status", db.status)
pulumi.export("db_password", db.password)

dumps = [
    HostingDatabaseDump(
        f"dump{i}",
        service_name=SERVICE,
        database_name=db.name,
        date=config.get("dump_date"),
        triggers=config.get_object("dump_triggers"),
        timeouts=config.get_object("dump_timeouts"),
    )
    for i in range(config.get_int("dumps") or 0)
]
pulumi.export("dump_ids", pulumi.Output.all(*[dump.dump_id for dump in dumps]))
pulumi.export("dump_urls", pulumi.Output.all(*[dump.url for dump in dumps]))

if config.get_bool("restore"):
    restore_date = config.get("restore_date")
    restore = HostingDatabaseRestore(
        "restore",
        service_name=SERVICE,
        database_name=db.name,
        dump_id=None if restore_date else dumps[0].dump_id,
        date=restore_date,
        triggers=config.get_object("restore_triggers"),
    )
    pulumi.export("restore_id", restore.id)
    pulumi.export("restore_task_id", restore.task_id)
