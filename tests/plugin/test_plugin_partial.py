"""Through the plugin, a create that made its object and did not finish answers as a partial
result (`ErrorResourceInitFailed` with the object's id and properties, secrets marked as a
create's), so that the engine keeps it in the state; the update the engine sends next finishes
it. Every error the plugin answers stays within a few kB."""

from __future__ import annotations

import pytest
from support import HostError, ProviderHost, from_struct
from support.plugin import urn

from pulumi_backups.plugin.server import MAX_ERROR
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import NASHA_SERVICE, RDB_INSTANCE_ID, VPS_SERVER_ID

BACKUP = "backups:vps:VpsBackup"
TIMEOUT = 1  # the engine's customTimeouts create, in seconds


def vps_backups(sandbox: Sandbox) -> dict[str, dict[str, object]]:
    return sandbox.objects().get("vps:backup", {})


def test_a_create_past_its_deadline_answers_the_backup_it_made(
    plugin: ProviderHost, sandbox: Sandbox
) -> None:
    sandbox.configure(task_seconds=3600)  # the backup takes an hour; the deadline is 1 s
    inputs = {"serverId": VPS_SERVER_ID, "description": "slower than its deadline"}
    checked = plugin.check(urn(BACKUP, "b"), {}, inputs)
    with pytest.raises(HostError) as failure:
        plugin.create(urn(BACKUP, "b"), checked.inputs, timeout=TIMEOUT)

    (backup,) = vps_backups(sandbox).values()  # made, and left as the panel has it
    partial = failure.value.partial
    assert partial is not None, failure.value.message
    assert partial.id == f"{VPS_SERVER_ID}/{backup['id']}"
    properties = from_struct(partial.properties)
    assert properties["backupId"] == backup["id"] and properties["status"] == "in_progress"
    assert properties["serverId"] == VPS_SERVER_ID  # the inputs too, as a create answers them
    assert properties["description"] == inputs["description"]
    (reason,) = partial.reasons
    assert "timed out after 1 s" in reason and "kept in the state" in reason
    assert reason == failure.value.message

    # the next up: the engine updates the partial resource, which finishes it
    sandbox.advance(3600)
    outputs = plugin.update(urn(BACKUP, "b"), partial.id, properties, checked.inputs)
    assert outputs["status"] == "completed" and outputs["backupId"] == backup["id"]
    plugin.delete(urn(BACKUP, "b"), partial.id, outputs)
    assert vps_backups(sandbox) == {}


def test_a_failed_create_is_no_partial_result(plugin: ProviderHost, sandbox: Sandbox) -> None:
    """A backup that ended failed is deleted, as on the dynamic path: nothing to keep."""
    sandbox.script("vps:backup/create", "fail")
    checked = plugin.check(urn(BACKUP, "b"), {}, {"serverId": VPS_SERVER_ID})
    with pytest.raises(HostError) as failure:
        plugin.create(urn(BACKUP, "b"), checked.inputs)
    assert failure.value.partial is None and "was deleted" in failure.value.message
    assert vps_backups(sandbox) == {}


def test_an_error_is_at_most_a_few_kilobytes(plugin: ProviderHost) -> None:
    """A huge error text (here a function token of 1 MB) reaches the engine cut, its start
    and its end kept: gRPC refuses trailers past 16 KiB and shows only "Stream removed"."""
    token = "backups:ovh:" + "x" * 1_000_000 + ":theEnd"
    with pytest.raises(HostError) as failure:
        plugin.invoke(token, {})
    message = failure.value.message
    assert failure.value.code == "UNKNOWN", message[:200]
    assert len(message.encode()) <= MAX_ERROR
    assert message.startswith("unknown function backups:ovh:xxx") and message.endswith(":theEnd")
    assert "bytes cut" in message


HUGE = {  # kind: (inputs, the call answered with 20 MB, its route)
    BACKUP: ({"serverId": VPS_SERVER_ID}, "create", "GET /api/v1/backups/"),
    "backups:scaleway:RdbBackup": (
        {"instanceId": RDB_INSTANCE_ID, "databaseName": "app"},
        "read",
        "GET /rdb/v1/regions/{region}/backups/{backup_id}",
    ),
    "backups:ovh:NashaCustomSnapshot": (
        {"serviceName": NASHA_SERVICE, "partitionName": "backups", "name": "huge"},
        "read",
        "GET /1.0/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot/{name}",
    ),
}


@pytest.mark.parametrize("token", sorted(HUGE))
def test_a_20_mb_error_body_is_a_short_error_naming_its_request(
    plugin: ProviderHost, sandbox: Sandbox, token: str
) -> None:
    """A 500 of 20 MB in the API's error shape (on every listing of a VPS create: a VPS
    refresh may be served by a listing read moments ago, and a create whose POST answers so
    takes the backup made; on every read of the others) is an error of a few lines, the
    server's text cut, with the request id."""
    inputs, call, route = HUGE[token]
    checked = plugin.check(urn(token, "r"), {}, inputs)
    with pytest.raises(HostError) as failure:
        if call == "create":
            sandbox.fault("body:huge", route, count=None)
            plugin.create(urn(token, "r"), checked.inputs)
        else:
            id_, outputs = plugin.create(urn(token, "r"), checked.inputs)
            sandbox.fault("body:huge", route, count=None)
            plugin.read(urn(token, "r"), id_, outputs, checked.inputs)
    message = failure.value.message
    assert failure.value.code == "UNKNOWN", message[:300]
    assert len(message.encode()) <= MAX_ERROR, message[:300]
    assert "HTTP 500" in message and "request id" in message, message
    sandbox.clear_faults()
