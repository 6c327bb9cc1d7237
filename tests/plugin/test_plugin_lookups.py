"""The look-ups served by the plugin process as invokes, as the engine calls them for a
program in any language: schema names at every depth, download links secret, and a listing
that cannot be believed an error (never an empty answer)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support import HostError, ProviderHost

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.scenarios import LIVE_DATABASE, SCENARIOS
from pulumi_backups.sandbox.settings import (
    CREDENTIALS,
    HOSTING_SERVICE,
    NASHA_SERVICE,
    RDB_INSTANCE_ID,
    VPS_SERVER_ID,
)

SECRET = "4dabf18193072939515e22adb298388d"
"""The key that marks a secret value on the wire."""
NAS = {"serviceName": NASHA_SERVICE, "partitionName": "backups"}


def made(sandbox: Sandbox) -> None:
    """A dump of `sandboxapp.mysql.db` from yesterday, a VPS backup and an RDB backup now."""
    assert sandbox.context is not None
    SCENARIOS["live-database"].play(sandbox.context)
    with httpx.Client(base_url=sandbox.url) as http:
        vps = {"Authorization": f"Bearer {CREDENTIALS['VPS_API_TOKEN']}"}
        http.post("/api/v1/backups/", json={"server_id": VPS_SERVER_ID}, headers=vps)
        scw = {"X-Auth-Token": CREDENTIALS["SCW_SECRET_KEY"]}
        body = {"instance_id": RDB_INSTANCE_ID, "database_name": "app", "name": "plugged"}
        http.post("/rdb/v1/regions/fr-par/backups", json=body, headers=scw).raise_for_status()


def test_hosting_dumps_invoke_marks_each_link_secret(
    plugin: ProviderHost, sandbox: Sandbox
) -> None:
    made(sandbox)
    args = {"serviceName": HOSTING_SERVICE, "databaseName": LIVE_DATABASE}
    answer = plugin.invoke("backups:ovh:getHostingDatabaseDumps", args)
    (dump,) = answer["dumps"]
    assert dump["url"][SECRET] and dump["url"]["value"].startswith("http")
    assert dump["creationDate"] == answer["newestCreatedAt"]
    assert 86_000 < answer["newestAgeSeconds"] < 87_000  # the scenario's dump is a day old
    assert answer["databaseName"] == LIVE_DATABASE


def test_vps_and_rdb_invokes(plugin: ProviderHost, sandbox: Sandbox) -> None:
    made(sandbox)
    vps = plugin.invoke("backups:vps:getVpsBackups", {"serverId": VPS_SERVER_ID})
    (backup,) = vps["backups"]
    assert backup["server"]["id"] == VPS_SERVER_ID and backup["status"] == "completed"
    assert vps["newestCreatedAt"] == backup["createdAt"] and vps["newestAgeSeconds"] < 600
    rdb = plugin.invoke("backups:scaleway:getRdbBackups", {"databaseName": "app"})
    assert [b["name"] for b in rdb["backups"]] == ["plugged"] and rdb["region"] == "fr-par"
    assert rdb["newestCreatedAt"] == rdb["backups"][0]["createdAt"]


def test_nasha_invokes(plugin: ProviderHost) -> None:
    snapshots = plugin.invoke("backups:ovh:getNashaCustomSnapshots", NAS)
    assert snapshots["snapshots"] == [] and snapshots["partitionName"] == "backups"
    frequencies = plugin.invoke("backups:ovh:getNashaSnapshotFrequencies", NAS)
    assert frequencies["frequencies"] == ["day-1"]
    assert frequencies["shortestPeriodSeconds"] == 86400


@pytest.mark.parametrize(
    ("token", "args", "lie", "route"),
    [
        (
            "backups:vps:getVpsBackups",
            {"serverId": VPS_SERVER_ID},
            "set:results.*.server.id=54321",
            "GET /api/v1/backups/",
        ),
        (
            "backups:scaleway:getRdbBackups",
            {"instanceId": RDB_INSTANCE_ID},
            "set:total_count=7",
            "GET /rdb/v1/regions/{region}/backups",
        ),
    ],
)
def test_a_listing_that_cannot_be_believed_fails_the_invoke(
    plugin: ProviderHost, sandbox: Sandbox, token: str, args: dict[str, Any], lie: str, route: str
) -> None:
    made(sandbox)
    sandbox.fault(lie, route, count=None)
    with pytest.raises(HostError, match=route.split(" ")[1].split("{")[0]):
        plugin.invoke(token, args)


def test_bad_arguments_fail_the_invoke_before_any_request(
    plugin: ProviderHost, sandbox: Sandbox
) -> None:
    sandbox.clear_counters()
    with pytest.raises(HostError, match="UUID"):
        plugin.invoke("backups:scaleway:getRdbBackups", {"instanceId": "nope"})
    with pytest.raises(HostError, match="unknown function"):
        plugin.invoke("backups:vps:getNothing", {})
    assert sandbox.counters() == {}
