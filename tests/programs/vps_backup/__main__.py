"""A VpsBackup, and with `restore` set a VpsRestore of it; every input comes from config.

Config (project namespace): `server_id` (default 12345), `description`, `triggers` (JSON),
`timeouts` (JSON), `restore` (bool), `restore_triggers` (JSON), `restore_backup_id` (any
value given to VpsRestore instead of the backup's id).
"""

from __future__ import annotations

import pulumi

from pulumi_backups.vps import VpsBackup, VpsRestore

config = pulumi.Config()
server_id = config.get_int("server_id") or 12345

backup = VpsBackup(
    "backup",
    server_id=server_id,
    description=config.get("description"),
    triggers=config.get_object("triggers"),
    timeouts=config.get_object("timeouts"),
)
pulumi.export("backup_urn", backup.urn)
pulumi.export("backup_id", backup.backup_id)
pulumi.export("backup_status", backup.status)
pulumi.export("server_name", backup.server_name)

if config.get_bool("restore"):
    restore = VpsRestore(
        "restore",
        server_id=server_id,
        backup_id=config.get("restore_backup_id") or backup.backup_id,
        triggers=config.get_object("restore_triggers"),
    )
    pulumi.export("restore_id", restore.id)
    pulumi.export("restore_status", restore.status)
