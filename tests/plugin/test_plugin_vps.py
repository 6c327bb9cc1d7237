"""The plugin process driven as the engine drives it, for the VPS panel kinds."""

from __future__ import annotations

import pytest
from support import HostError, ProviderHost
from support.plugin import configure, start_plugin, urn

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import VPS_SERVER_ID

BACKUP = "backups:vps:VpsBackup"
RESTORE = "backups:vps:VpsRestore"


def test_backup_and_restore_lifecycle_with_import(plugin: ProviderHost, sandbox: Sandbox) -> None:
    inputs = {"serverId": VPS_SERVER_ID, "description": "through the plugin"}
    checked = plugin.check(urn(BACKUP, "b"), {}, inputs)
    backup_id, backup = plugin.create(urn(BACKUP, "b"), checked.inputs)
    assert (
        backup_id == f"{VPS_SERVER_ID}/{int(backup['backupId'])}"
        and backup["status"] == "completed"
    )

    imported = plugin.import_read(urn(BACKUP, "b"), backup_id)
    assert imported.id == backup_id and imported.inputs == checked.inputs
    diff = plugin.diff(urn(BACKUP, "b"), backup_id, backup, {**inputs, "triggers": ["v2"]})
    assert diff.replaces == ["triggers"] and diff.detailed == {"triggers": "ADD_REPLACE"}

    restore_inputs = {"serverId": VPS_SERVER_ID, "backupId": backup["backupId"]}
    checked = plugin.check(urn(RESTORE, "r"), {}, restore_inputs)
    restore_id, restore = plugin.create(urn(RESTORE, "r"), checked.inputs)
    imported = plugin.import_read(urn(RESTORE, "r"), restore_id)
    assert imported.id == restore_id and imported.inputs == checked.inputs
    plugin.delete(urn(RESTORE, "r"), restore_id, restore)

    plugin.delete(urn(BACKUP, "b"), backup_id, backup)
    assert int(backup["backupId"]) not in {
        doc["id"] for doc in sandbox.objects().get("vps:backup", {}).values()
    }


def test_a_missing_setting_is_named_as_the_plugin_spells_it(sandbox: Sandbox) -> None:
    """A YAML or TypeScript user sets `backups:vpsApiToken`, never the dynamic path's
    `vps:apiToken`: the error names the key they can set."""
    with start_plugin(VPS_API_TOKEN="") as host:
        configure(host, {"vps:apiUrl": sandbox.stack_config()["vps:apiUrl"]})
        inputs = host.check(urn(BACKUP, "b"), {}, {"serverId": VPS_SERVER_ID}).inputs
        with pytest.raises(HostError) as failure:
            host.create(urn(BACKUP, "b"), inputs)
    message = str(failure.value)
    assert "`backups:vpsApiToken`" in message and "VPS_API_TOKEN" in message, message
    assert "vps:apiToken" not in message, message
