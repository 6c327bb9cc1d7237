"""The plugin process driven as the engine drives it, for the OVHcloud kinds: check, diff with
detailed diff, create, refresh, update, import (a Read with an id alone), delete, the
function, the engine's custom timeout and Cancel."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from support import HostError, ProviderHost
from support.plugin import start_plugin, urn

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import HOSTING_SERVICE, NASHA_SERVICE, SandboxSettings

DATABASE = "backups:ovh:HostingDatabase"
DUMP = "backups:ovh:HostingDatabaseDump"
POLICY = "backups:ovh:NashaSnapshotPolicy"
SNAPSHOT = "backups:ovh:NashaCustomSnapshot"
DB_INPUTS = {
    "serviceName": HOSTING_SERVICE,
    "user": "sandboxplug",
    "type": "mysql",
    "capability": "sqlPerso",
    "password": "s3cretPassw0rd",
}
NAS = {"serviceName": NASHA_SERVICE, "partitionName": "backups"}


def created(plugin: ProviderHost, token: str, name: str, inputs: dict) -> tuple[str, dict]:
    checked = plugin.check(urn(token, name), {}, inputs)
    assert checked.failures == []
    return plugin.create(urn(token, name), checked.inputs)


def test_a_bad_input_fails_check_under_its_schema_name(plugin: ProviderHost) -> None:
    result = plugin.check(urn(DATABASE, "db"), {}, {**DB_INPUTS, "user": "Bad_User"})
    assert [p for p, _ in result.failures] == ["user"]
    result = plugin.check(urn(DUMP, "d"), {}, {"serviceName": HOSTING_SERVICE})
    assert [p for p, _ in result.failures] == ["databaseName"]


def test_database_and_dump_lifecycle_with_import(plugin: ProviderHost, sandbox: Sandbox) -> None:
    db_id, db = created(plugin, DATABASE, "db", DB_INPUTS)
    assert (
        db_id == f"{HOSTING_SERVICE}/sandboxplug.mysql.db" and db["name"] == "sandboxplug.mysql.db"
    )
    dump_inputs = {"serviceName": HOSTING_SERVICE, "databaseName": db["name"]}
    dump_id, dump = created(plugin, DUMP, "dump", dump_inputs)
    assert dump["url"] and dump["dumpId"] == int(dump_id.rsplit("/", 1)[1])

    # a changed password updates in place; a changed type would replace (detailed diff)
    checked = plugin.check(urn(DATABASE, "db"), DB_INPUTS, {**DB_INPUTS, "password": "n3wPassw0rd"})
    diff = plugin.diff(urn(DATABASE, "db"), db_id, db, checked.inputs)
    assert diff.changes == "some" and diff.replaces == []
    assert diff.detailed == {"password": "UPDATE"}
    outs = plugin.update(urn(DATABASE, "db"), db_id, db, checked.inputs)
    assert sandbox.objects()["ovh:hosting:database"][db_id]["password"] == "n3wPassw0rd"
    diff = plugin.diff(urn(DUMP, "dump"), dump_id, dump, {**dump_inputs, "date": "daily.1"})
    assert diff.replaces == ["date"] and diff.detailed == {"date": "UPDATE_REPLACE"}

    # refresh, then import of each (a Read with the id alone gives inputs and outputs)
    assert plugin.read(urn(DUMP, "dump"), dump_id, dump, dump_inputs).id == dump_id
    imported = plugin.import_read(urn(DATABASE, "db"), db_id)
    assert imported.id == db_id and imported.outputs["port"] == outs["port"]
    assert imported.inputs is not None
    assert {k: imported.inputs[k] for k in ("serviceName", "user", "type", "capability")} == {
        k: DB_INPUTS[k] for k in ("serviceName", "user", "type", "capability")
    }
    assert plugin.check(urn(DATABASE, "db"), {}, imported.inputs).failures == []
    imported = plugin.import_read(urn(DUMP, "dump"), dump_id)
    assert imported.inputs == {**dump_inputs, "date": "now", "sendEmail": False}

    # a restore of the dump runs once, reads back as recorded, and is only forgotten
    restore_token = "backups:ovh:HostingDatabaseRestore"
    restore_inputs = {**dump_inputs, "dumpId": dump["dumpId"]}
    restore_id, restore = created(plugin, restore_token, "restore", restore_inputs)
    assert restore_id.startswith(f"{HOSTING_SERVICE}/sandboxplug.mysql.db/restore/")
    sandbox.clear_counters()
    read = plugin.read(urn(restore_token, "restore"), restore_id, restore, restore_inputs)
    assert read.id == restore_id and sandbox.counters() == {}
    # its import id says what was restored; the task confirms it is a restore
    dump_number = int(dump["dumpId"])
    imported = plugin.import_read(urn(restore_token, "r"), f"{restore_id}/dump-{dump_number}")
    assert imported.id == restore_id and imported.inputs == restore_inputs
    (dump_doc,) = sandbox.objects()["ovh:hosting:dump"].values()
    dump_task = int(dump_doc["taskId"])
    with pytest.raises(HostError, match="is a dump/create, not a restore"):
        plugin.import_read(urn(restore_token, "r"), f"{db_id}/restore/{dump_task}/now")
    sandbox.clear_counters()
    plugin.delete(urn(restore_token, "restore"), restore_id, restore)
    assert sandbox.counters() == {}

    # deletion protection holds; a dump outlives its database
    with pytest.raises(HostError, match="deletion_protection is on"):
        plugin.delete(urn(DATABASE, "db"), db_id, outs)
    plugin.delete(urn(DATABASE, "db"), db_id, {**outs, "deletionProtection": False})
    assert plugin.read(urn(DUMP, "dump"), dump_id, dump, dump_inputs).id == dump_id
    plugin.delete(urn(DUMP, "dump"), dump_id, dump)
    assert plugin.read(urn(DUMP, "dump"), dump_id, dump, dump_inputs).id == ""


def test_an_object_that_is_not_there_is_not_imported(plugin: ProviderHost) -> None:
    with pytest.raises(HostError, match=r"no database sandboxnone\.mysql\.db") as failure:
        plugin.import_read(urn(DATABASE, "db"), f"{HOSTING_SERVICE}/sandboxnone.mysql.db")
    # the message names the resource and what failed, and nothing of the plugin's code
    assert str(failure.value).endswith(
        f"HostingDatabase {HOSTING_SERVICE}/sandboxnone.mysql.db: import failed: no database "
        f"sandboxnone.mysql.db on {HOSTING_SERVICE} to import"
    )
    restore = "backups:ovh:HostingDatabaseRestore"
    with pytest.raises(HostError, match="the task does not say what was restored"):
        plugin.import_read(urn(restore, "r"), f"{HOSTING_SERVICE}/sandboxapp.mysql.db/restore/7")


def test_snapshot_and_policy_lifecycle_with_import(plugin: ProviderHost) -> None:
    snap_id, snap = created(plugin, SNAPSHOT, "snap", {**NAS, "name": "plugged"})
    assert snap_id == f"{NASHA_SERVICE}/backups/plugged"
    imported = plugin.import_read(urn(SNAPSHOT, "snap"), snap_id)
    assert imported.inputs is not None and imported.inputs["name"] == "plugged"
    plugin.delete(urn(SNAPSHOT, "snap"), snap_id, snap)
    assert plugin.read(urn(SNAPSHOT, "snap"), snap_id, snap, {**NAS, "name": "plugged"}).id == ""

    policy_id, policy = created(plugin, POLICY, "policy", {**NAS, "frequencies": ["hour-6"]})
    assert policy["frequencies"] == ["hour-6"] and policy["initialFrequencies"] == ["day-1"]
    imported = plugin.import_read(urn(POLICY, "policy"), policy_id)
    assert imported.inputs is not None and imported.inputs["frequencies"] == ["hour-6"]
    assert imported.outputs["initialFrequencies"] == ["day-1"]  # the partition's record
    plugin.delete(urn(POLICY, "policy"), policy_id, policy)
    back = plugin.import_read(urn(POLICY, "policy"), policy_id)
    assert back.outputs["frequencies"] == ["day-1"]


def test_orphan_dumps_function(plugin: ProviderHost) -> None:
    db_id, db = created(plugin, DATABASE, "db", {**DB_INPUTS, "user": "sandboxorph"})
    created(plugin, DUMP, "dump", {"serviceName": HOSTING_SERVICE, "databaseName": db["name"]})
    plugin.delete(urn(DATABASE, "db"), db_id, {**db, "deletionProtection": False})
    args = {"serviceName": HOSTING_SERVICE, "databaseName": db["name"]}
    (dump,) = plugin.invoke("backups:ovh:getOrphanDumps", args)["dumps"]
    assert dump["databaseName"] == db["name"] and dump["orphan"] is True and dump["url"]


def test_the_engines_custom_timeout_wins(plugin: ProviderHost, sandbox: Sandbox) -> None:
    sandbox.configure(task_seconds=30)
    inputs = {**NAS, "name": "late", "timeouts": {"create": 3600}}
    checked = plugin.check(urn(SNAPSHOT, "s"), {}, inputs)
    started = time.monotonic()
    with pytest.raises(HostError, match="timed out after 1 s") as failure:
        plugin.create(urn(SNAPSHOT, "s"), checked.inputs, timeout=1)
    assert time.monotonic() - started < 10
    # the advice names what set the deadline: raising `timeouts` would change nothing
    assert "raise the matching `customTimeouts` resource option" in str(failure.value)
    assert "`timeouts` argument" not in str(failure.value)


def test_cancel_stops_waits_at_once_naming_what_they_leave(
    plugin: ProviderHost, sandbox: Sandbox
) -> None:
    sandbox.configure(task_seconds=600)
    checked = plugin.check(urn(SNAPSHOT, "s"), {}, {**NAS, "name": "cancelled"})
    failure: list[BaseException] = []

    def create() -> None:
        try:
            plugin.create(urn(SNAPSHOT, "s"), checked.inputs)
        except BaseException as err:
            failure.append(err)

    worker = threading.Thread(target=create)
    worker.start()
    time.sleep(1.0)  # the create is waiting for its NAS-HA task
    started = time.monotonic()
    plugin.cancel()
    worker.join(30)
    assert time.monotonic() - started < 5
    (error,) = failure
    assert "cancelled while waiting for" in str(error) and "cancelled" in str(error)


def test_two_provider_instances_serve_two_accounts(sandbox: Sandbox) -> None:
    """Each provider instance is a plugin process of its own, configured with its settings:
    the same resource created through each lands in its own account."""
    other = Sandbox(SandboxSettings(task_seconds=0)).start()
    try:
        with start_plugin(sandbox) as first, start_plugin(other) as second:
            for plugin in (first, second):
                created(plugin, SNAPSHOT, "s", {**NAS, "name": "per-account"})
        for account in (sandbox, other):
            (partition,) = account.objects()["ovh:nasha:partition"].values()
            assert list(partition["custom"]) == ["per-account"]
    finally:
        other.stop()


def test_get_schema_is_schema_json(plugin: ProviderHost) -> None:
    """The engine's GetSchema answers the document committed as schema.json."""
    committed = json.loads((Path(__file__).resolve().parents[2] / "schema.json").read_text())
    assert json.loads(plugin.get_schema()) == committed
