"""The data-safety rules of the dynamic path hold through the plugin too: a preview (Check,
Diff) sends nothing, a refresh (Read) changes nothing, a not-found that is not the API's own
proves nothing, and a backup is not replaced because the object it backs up is."""

from __future__ import annotations

from typing import Any

import pytest
from support import UNKNOWN, HostError, ProviderHost
from support.plugin import urn

from pulumi_backups.plugin.kinds import BY_TOKEN
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import (
    HOSTING_SERVICE,
    NASHA_SERVICE,
    RDB_INSTANCE_ID,
    VPS_SERVER_ID,
)

NAS = {"serviceName": NASHA_SERVICE, "partitionName": "backups"}
DB = "sandboxapp.mysql.db"
INPUTS: dict[str, dict[str, Any]] = {
    "backups:ovh:HostingDatabase": {"serviceName": HOSTING_SERVICE, "user": "sandboxsafe",
                                    "type": "mysql", "capability": "sqlPerso"},
    "backups:ovh:HostingDatabaseDump": {"serviceName": HOSTING_SERVICE, "databaseName": DB},
    "backups:ovh:HostingDatabaseRestore": {"serviceName": HOSTING_SERVICE, "databaseName": DB,
                                           "date": "daily.1"},
    "backups:ovh:NashaSnapshotPolicy": {**NAS, "frequencies": ["day-1"]},
    "backups:ovh:NashaCustomSnapshot": {**NAS, "name": "safe"},
    "backups:vps:VpsBackup": {"serverId": VPS_SERVER_ID},
    "backups:vps:VpsRestore": {"serverId": VPS_SERVER_ID, "backupId": 501},
    "backups:scaleway:RdbBackup": {"instanceId": RDB_INSTANCE_ID, "databaseName": "app"},
    "backups:scaleway:RdbBackupRestore": {"instanceId": RDB_INSTANCE_ID,
                                          "backupId": "fr-par/" + RDB_INSTANCE_ID},
}  # fmt: skip


def test_the_inputs_cover_every_kind() -> None:
    assert set(INPUTS) == set(BY_TOKEN)


@pytest.mark.parametrize("token", sorted(INPUTS))
def test_a_preview_sends_no_request(plugin: ProviderHost, sandbox: Sandbox, token: str) -> None:
    sandbox.clear_counters()
    checked = plugin.check(urn(token, "r"), {}, INPUTS[token])
    assert checked.failures == []
    changed = {**checked.inputs, "triggers": ["v2"]}
    plugin.diff(urn(token, "r"), "some/id", checked.inputs, changed)
    unknown = {k: UNKNOWN for k in checked.inputs}
    plugin.check(urn(token, "r"), checked.inputs, unknown, allow_unknowns=True)
    plugin.diff(urn(token, "r"), "some/id", checked.inputs, unknown, allow_unknowns=True)
    assert sandbox.counters() == {}


def test_a_dump_is_not_replaced_with_the_database_it_backs_up(plugin: ProviderHost) -> None:
    """The engine Diffs a dependent with the inputs from a replaced parent unknown: a dump
    must not be deleted first (it outlives its database)."""
    token = "backups:ovh:HostingDatabaseDump"
    olds = plugin.check(urn(token, "d"), {}, INPUTS[token]).inputs
    news = {**olds, "databaseName": UNKNOWN}
    diff = plugin.diff(
        urn(token, "d"), f"{HOSTING_SERVICE}/{DB}/1", olds, news, allow_unknowns=True
    )
    assert diff.replaces == [] and diff.detailed == {"databaseName": "UPDATE"}


def test_a_refresh_changes_nothing_and_a_proxys_404_proves_nothing(
    plugin: ProviderHost, sandbox: Sandbox
) -> None:
    token = "backups:ovh:NashaCustomSnapshot"
    checked = plugin.check(urn(token, "s"), {}, INPUTS[token])
    snap_id, snap = plugin.create(urn(token, "s"), checked.inputs)
    sandbox.clear_counters()
    assert plugin.read(urn(token, "s"), snap_id, snap, checked.inputs).id == snap_id
    assert all(route.startswith("GET ") for route in sandbox.counters())
    route = "GET /1.0/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot/{name}"
    sandbox.fault("html404", route, count=None)
    with pytest.raises(HostError, match="not an answer of the OVHcloud API"):
        plugin.read(urn(token, "s"), snap_id, snap, checked.inputs)


def test_an_unknown_setting_fails_check_config_before_configure() -> None:
    """The engine sends CheckConfig before Configure on preview and up: a misspelt setting
    is refused there, naming it."""
    from support.plugin import start_plugin

    host = start_plugin()
    try:
        with pytest.raises(HostError) as caught:
            host.configure_provider({"ovhEndpiont": "ovh-eu"})
        assert caught.value.method == "CheckConfig" and "ovhEndpiont" in caught.value.message
    finally:
        host.close()
