"""The plugin process driven as the engine drives it, for the Scaleway kinds."""

from __future__ import annotations

from support import ProviderHost, is_secret, reveal
from support.plugin import urn

from pulumi_backups.sandbox.settings import RDB_INSTANCE_ID

BACKUP = "backups:scaleway:RdbBackup"
RESTORE = "backups:scaleway:RdbBackupRestore"


def test_exported_backup_restore_and_import(plugin: ProviderHost) -> None:
    inputs = {"instanceId": RDB_INSTANCE_ID, "databaseName": "app", "export": True}
    checked = plugin.check(urn(BACKUP, "b"), {}, inputs)
    assert checked.failures == []
    backup_id, backup = plugin.create(urn(BACKUP, "b"), checked.inputs)
    assert backup_id.startswith("fr-par/") and backup["status"] == "ready"
    assert is_secret(backup["downloadUrl"]) and reveal(backup["downloadUrl"]).startswith("http")

    imported = plugin.import_read(urn(BACKUP, "b"), backup_id)
    assert imported.id == backup_id and imported.inputs is not None
    assert {k: imported.inputs[k] for k in ("instanceId", "databaseName", "export")} == inputs
    assert plugin.check(urn(BACKUP, "b"), {}, imported.inputs).failures == []

    restore_inputs = {"backupId": backup["backupId"], "instanceId": RDB_INSTANCE_ID,
                      "databaseName": "app_restore"}  # fmt: skip
    checked_restore = plugin.check(urn(RESTORE, "r"), {}, restore_inputs)
    assert checked_restore.failures == []
    restore_id, restore = plugin.create(urn(RESTORE, "r"), checked_restore.inputs)
    imported = plugin.import_read(urn(RESTORE, "r"), restore_id)  # into its own database?
    assert imported.inputs is not None
    assert imported.inputs["instanceId"] == RDB_INSTANCE_ID
    assert imported.inputs["databaseName"] == "app"  # what the id can tell; not app_restore
    assert plugin.check(urn(RESTORE, "r"), {}, imported.inputs).failures == []
    plugin.delete(urn(RESTORE, "r"), restore_id, restore)
    plugin.delete(urn(BACKUP, "b"), backup_id, backup)
    assert plugin.read(urn(BACKUP, "b"), backup_id, backup, checked.inputs).id == ""
