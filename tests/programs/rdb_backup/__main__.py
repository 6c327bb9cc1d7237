"""An RdbBackup, and with `restore` set an RdbBackupRestore of it; every input comes from config.

Config (project namespace): `instance_id` (default: the sandbox instance), `database_name`
(default `app`), `name`, `expires_at`, `region`, `export` (bool), `timeouts` (JSON),
`restore` (bool), `restore_database` (default `app_restore`), `restore_triggers` (JSON),
`restore_backup_id` (given to RdbBackupRestore instead of the backup's `region/uuid` id),
`restore_region`.
"""

from __future__ import annotations

import pulumi

from pulumi_backups.scaleway import RdbBackup, RdbBackupRestore

SANDBOX_INSTANCE = "11111111-1111-1111-1111-111111111111"

config = pulumi.Config()
instance_id = config.get("instance_id") or SANDBOX_INSTANCE

backup = RdbBackup(
    "backup",
    instance_id=instance_id,
    database_name=config.get("database_name") or "app",
    name=config.get("name"),
    expires_at=config.get("expires_at"),
    region=config.get("region"),
    export=config.get_bool("export") or False,
    timeouts=config.get_object("timeouts"),
)
pulumi.export("backup_urn", backup.urn)
pulumi.export("backup_id", backup.backup_id)
pulumi.export("name", backup.name)
pulumi.export("status", backup.status)
pulumi.export("size", backup.size)
pulumi.export("expires_at", backup.expires_at)
pulumi.export("instance_name", backup.instance_name)
pulumi.export("download_url", backup.download_url)
pulumi.export("download_url_expires_at", backup.download_url_expires_at)

if config.get_bool("restore"):
    restore = RdbBackupRestore(
        "restore",
        backup_id=config.get("restore_backup_id") or backup.id,
        instance_id=instance_id,
        database_name=config.get("restore_database") or "app_restore",
        region=config.get("restore_region"),
        triggers=config.get_object("restore_triggers"),
    )
    pulumi.export("restore_id", restore.id)
    pulumi.export("restore_status", restore.status)
