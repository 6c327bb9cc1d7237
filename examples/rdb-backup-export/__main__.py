"""A Scaleway RDB backup exported to a download link, and optionally restored.

The backup is taken on creation; `export=True` then asks Scaleway for a presigned download
link (about 24 hours), returned as the secret output `download_url`. Changing `backup_name`
or `expires_at` updates the backup in place (Scaleway cannot remove an expiry once set);
changing the instance or the database takes a new backup.
With `restore_database` set, the backup is also restored into that database of the instance.
"""

from __future__ import annotations

import pulumi

from pulumi_backups import RdbBackup, RdbBackupRestore
from pulumi_backups.examples import sandbox_default  # the sandbox's ids only against it

SANDBOX_INSTANCE = "11111111-1111-1111-1111-111111111111"


config = pulumi.Config()
instance_id = sandbox_default(
    config.get("rdb_instance"), "rdb_instance", SANDBOX_INSTANCE, "scaleway"
)
region = config.get("region") or "fr-par"

backup = RdbBackup(
    "nightly-export",
    instance_id=instance_id,
    database_name=config.get("database") or "app",
    name=config.get("backup_name") or "app-export",
    expires_at=config.get("expires_at"),  # ISO 8601; none: kept until deleted
    region=region,
    export=True,
)

restore_database = config.get("restore_database")
if restore_database:
    RdbBackupRestore(
        "restore",
        backup_id=backup.id,  # "{region}/{uuid}"
        instance_id=instance_id,
        database_name=restore_database,
        region=region,
    )

pulumi.export("backup", backup.id)
pulumi.export("backup_status", backup.status)
pulumi.export("backup_size_bytes", backup.size)
pulumi.export("instance_name", backup.instance_name)
pulumi.export("download_url", backup.download_url)  # secret: --show-secrets to see it
pulumi.export("download_url_expires_at", backup.download_url_expires_at)
