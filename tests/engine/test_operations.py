"""The provider plugin's operations under the real engine, against the sandbox, driven by YAML
programs (tests/engine/programs/ops-*): `pulumi import` of every resource kind (state, the
generated code, a preview of it with no changes; the dynamic resources' refusal), the
engine's `customTimeouts` on a create slower than its deadline, and 40 VPS backups made at
once under `--parallel 40`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from support.plugin import SECRET_SETTINGS, plugin_config

from engine.conftest import mutations, sandbox_config
from engine.pulumi_cli import Stack, plan_ops
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import HOSTING_SERVICE, VPS_SERVER_ID

PROGRAMS = Path(__file__).parent / "programs"


def plugin_stack(make_stack: Callable[..., Stack], sandbox: Sandbox, program: str) -> Stack:
    """A stack of `programs/<program>` whose default `backups` provider points at the sandbox
    (its settings as `backups:<key>` stack config, credentials encrypted)."""
    stack = make_stack(PROGRAMS / program)
    settings = plugin_config(sandbox.stack_config())
    stack.config(
        {f"backups:{key}": value for key, value in settings.items()},
        secret=[f"backups:{key}" for key in settings if key in SECRET_SETTINGS],
    )
    return stack


def grpc_log(stack: Stack) -> Path:
    """Have the engine log every gRPC call of the stack's next commands (one JSON a line)."""
    log = stack.logs / "grpc.jsonl"
    stack.env["PULUMI_DEBUG_GRPC"] = str(log)
    return log


def provider_calls(log: Path, method: str) -> list[dict[str, Any]]:
    """The engine's `ResourceProvider/<method>` requests, once each (the log has a line as
    the call starts and one with its answer)."""
    calls = []
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        if entry.get("method") == f"/pulumirpc.ResourceProvider/{method}" and (
            entry.get("response") is not None or entry.get("errors")
        ):
            calls.append(entry)
    return calls


def shutdown_noise(result: Any) -> list[str]:
    """What the plugin printed as it was stopped (the engine shows a plugin's stderr as debug
    diagnostics): a traceback of its gRPC server torn down after its event loop closed."""
    marks = ("Event loop is closed", "was never awaited", "Exception ignored")
    return [m for m in result.diagnostics("debug") if any(mark in m for mark in marks)]


def vps_backups(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return sandbox.objects().get("vps:backup", {})


# -- pulumi import -------------------------------------------------------------------------------

KINDS = {
    "db": "backups:ovh:HostingDatabase",
    "dump": "backups:ovh:HostingDatabaseDump",
    "restore": "backups:ovh:HostingDatabaseRestore",
    "policy": "backups:ovh:NashaSnapshotPolicy",
    "snapshot": "backups:ovh:NashaCustomSnapshot",
    "vpsBackup": "backups:vps:VpsBackup",
    "vpsRestore": "backups:vps:VpsRestore",
    "rdbBackup": "backups:scaleway:RdbBackup",
    "rdbRestore": "backups:scaleway:RdbBackupRestore",
}
"""Every resource kind of the plugin (README: all nine are importable), by the name it has in
programs/ops-objects."""


def expected_inputs(name: str, created: dict[str, Any], sandbox: Sandbox) -> dict[str, Any]:
    """The inputs an import records for an object `created` (the state entry of the stack
    that made it): what the object tells of the inputs that made it, and the defaults."""
    inputs = {k: v for k, v in created["inputs"].items() if v is not None}
    if name == "db":
        # the password cannot be read back; deletion protection is no property of the
        # server's: an import takes the safe default; the version is the server's. The name
        # Check adds to a database's inputs is missing: the engine records the inputs Read
        # gave, not those of the Check that follows it
        inputs.pop("password")
        inputs.pop("name")
        database = sandbox.objects()["ovh:hosting:database"][created["id"]]
        inputs.update(deletionProtection=True, version=database["version"])
    if name in ("rdbBackup", "rdbRestore"):
        inputs["region"] = created["id"].split("/", 1)[0]  # the id's; the program left it out
    if name == "rdbRestore":
        # a restore's id tells its backup and instance, not the database it restored into
        inputs.update(databaseName="app", backupId=inputs["backupId"].split("/", 1)[1])
    return inputs


def test_import_of_every_kind(make_stack: Callable[..., Stack], sandbox: Sandbox) -> None:
    # the objects, made by a first stack
    source = plugin_stack(make_stack, sandbox, "ops-objects")
    source.up()
    created = source.resources()
    assert {name: r["type"] for name, r in created.items()} == KINDS
    dump_number = int(created["dump"]["outputs"]["dumpId"])

    # each imported into a fresh stack, its code generated
    target = plugin_stack(make_stack, sandbox, "ops-import")
    log = grpc_log(target)
    code: dict[str, Any] = {}
    for name, token in KINDS.items():
        import_id = created[name]["id"]
        if name == "restore":  # its id names its task only: the import id adds the dump
            import_id += f"/dump-{dump_number}"
        out = target.dir / f"{name}.yaml"
        target.run("import", token, name, import_id, "--yes", "--protect=false", "--out", str(out))
        generated = yaml.safe_load(out.read_text())["resources"]
        assert list(generated) == [name] and generated[name]["type"] == token
        code.update(generated)

    state = target.resources()
    assert set(state) == set(KINDS)
    for name, resource in state.items():
        assert resource["id"] == created[name]["id"], name
        assert resource["type"] == KINDS[name]
        inputs = {k: v for k, v in resource["inputs"].items() if v is not None}
        assert inputs == expected_inputs(name, created[name], sandbox), (name, inputs)
        assert not resource.get("protect")
    assert target.export().get("pending_operations") in (None, [])

    # what the engine sent: a Read with the id alone (twice: `pulumi import` previews the
    # import first, and the preview reads too), then a Check of what it read
    reads = provider_calls(log, "Read")
    assert len(reads) == 2 * len(KINDS)
    assert all(r["request"]["properties"] == {} and "inputs" not in r["request"] for r in reads)
    checks = provider_calls(log, "Check")
    assert all(c["request"]["olds"] == c["request"]["news"] for c in checks)
    assert not provider_calls(log, "Diff")

    # the generated code, as the program: nothing to change, no request to any API
    program = yaml.safe_load((target.dir / "Pulumi.yaml").read_text())
    program["resources"] = code
    (target.dir / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    sandbox.clear_counters()
    result, plan = target.preview("--show-sames")
    assert plan_ops(plan) == dict.fromkeys(KINDS, "same"), result.text
    assert plan["changeSummary"] == {"same": len(KINDS) + 1}
    assert mutations(sandbox) == {}

    # a program written by hand: the restore names its backup by the RdbBackup's id, its
    # region left out, as the import recorded neither; nothing restores again
    restore = code["rdbRestore"]["properties"]
    del restore["region"]
    restore["backupId"] = "${rdbBackup.id}"
    (target.dir / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    result, plan = target.preview("--show-sames")
    assert plan_ops(plan) == dict.fromkeys(KINDS, "same"), result.text

    # an import the provider refuses fails with its message, and records nothing
    refusals = {
        ("backups:vps:VpsBackup", f"{VPS_SERVER_ID}/999999"): "import failed",
        (KINDS["restore"], created["restore"]["id"]): "the task does not say what was restored",
        (KINDS["db"], f"{HOSTING_SERVICE}/sandboxnone.mysql.db"): "no database sandboxnone",
    }
    for (token, import_id), message in refusals.items():
        refused = target.run("import", token, "ghost", import_id, "--yes", check=False)
        assert not refused.ok and message in refused.stdout + refused.stderr, refused.text
        assert "Traceback" not in refused.stdout + refused.stderr
    assert set(target.resources()) == set(KINDS)


def test_the_import_option(make_stack: Callable[..., Stack], sandbox: Sandbox) -> None:
    """The plugin's `import` resource option: the object is read, not created. A program
    whose inputs would replace it: the engine imports it as it is, then refuses the
    replacement; the program put right, nothing changes."""
    source = plugin_stack(make_stack, sandbox, "ops-vps-one")
    source.up()
    (backup,) = source.resources().values()

    stack = plugin_stack(make_stack, sandbox, "ops-import-option")
    program = stack.dir / "Pulumi.yaml"
    program.write_text(program.read_text().replace("IMPORT-ID", backup["id"]))
    stack.config({"description": "not this backup"})
    sandbox.clear_counters()
    refused = stack.up(check=False)
    assert not refused.ok
    (message,) = refused.diagnostics("error")[:1]
    assert "previously-imported resources that still specify an ID may not be replaced" in message
    assert "description: {backup 0 of many} => {not this backup}" in message
    assert refused.summary() == {"create": 1, "import": 1}  # the stack, and the backup
    taken = stack.resources()["taken"]
    assert taken["id"] == backup["id"] and taken["inputs"] == backup["inputs"]
    assert mutations(sandbox) == {}

    stack.config({"description": backup["inputs"]["description"]})
    assert stack.up().summary() == {"same": 2}
    assert stack.resources()["taken"]["id"] == backup["id"]
    assert mutations(sandbox) == {}
    assert len(vps_backups(sandbox)) == 1


def test_the_dynamic_resources_refuse_import(
    make_stack: Callable[..., Stack], sandbox: Sandbox
) -> None:
    """README (Adopting existing objects): neither `pulumi import` nor the `import_` option can
    work with the dynamic resources; the option is refused with the plugin's command."""
    source = plugin_stack(make_stack, sandbox, "ops-vps-one")
    source.up()
    (backup,) = source.resources().values()

    stack = make_stack(PROGRAMS / "ops-dynamic")
    sandbox_config(stack, sandbox, server=str(VPS_SERVER_ID), backup=backup["id"])
    refused = stack.up(check=False)
    assert not refused.ok
    (message,) = [m for m in refused.diagnostics("error") if "import_" in m]
    assert "VpsBackup 'imported': the import_ option cannot work with the dynamic" in message
    assert f"pulumi import backups:vps:VpsBackup imported {backup['id']}" in message
    assert stack.resources() == {}

    # `pulumi import` reaches the SDK's dynamic provider host only: its own KeyError
    token = "pulumi-python:dynamic/vps:VpsBackup"
    failed = stack.run("import", token, "other", backup["id"], "--yes", check=False)
    assert not failed.ok and "KeyError: '__provider'" in failed.stdout + failed.stderr
    assert stack.resources() == {}
    assert len(vps_backups(sandbox)) == 1  # the backup, untouched


# -- customTimeouts ------------------------------------------------------------------------------


def test_custom_timeouts_stop_a_slow_create(
    make_stack: Callable[..., Stack], sandbox: Sandbox
) -> None:
    stack = plugin_stack(make_stack, sandbox, "ops-timeout")
    log = grpc_log(stack)
    sandbox.configure(task_seconds=120)  # the backup takes 2 minutes; the deadline is 2 s
    started = time.monotonic()
    failed = stack.up(check=False)
    elapsed = time.monotonic() - started
    print(f"\nup with customTimeouts create 2s, task 120 s: failed after {elapsed:.1f} s")
    assert not failed.ok
    assert elapsed < 20, failed.text
    (message,) = [m for m in failed.diagnostics("error") if "timed out" in m]
    assert f"VpsBackup on server {VPS_SERVER_ID}: create failed: " in message
    assert "timed out after 2 s waiting for backup" in message
    assert "customTimeouts" in message and "kept in the state" in message, message
    assert "urn:pulumi:dev::ops-timeout::backups:vps:VpsBackup::slow" in failed.stdout

    assert shutdown_noise(failed) == []

    # the deadline reached the provider in the Create request, in seconds
    (create,) = provider_calls(log, "Create")
    assert create["request"]["timeout"] == 2

    # the backup made is kept in the state, not pending (test_partial.py: the next up)
    assert list(stack.resources()) == ["slow"]
    assert stack.export().get("pending_operations") in (None, [])
    assert len(vps_backups(sandbox)) == 1

    # destroyed with the state's customTimeouts
    stack.destroy()
    assert vps_backups(sandbox) == {}
    (delete,) = provider_calls(log, "Delete")
    assert delete["request"]["timeout"] == 30


# -- many at once --------------------------------------------------------------------------------

BACKUP_SECONDS = 3.0
MANY = 40


def timed_up(stack: Stack, *args: str) -> float:
    started = time.monotonic()
    result = stack.up(*args)
    elapsed = time.monotonic() - started
    assert shutdown_noise(result) == []  # stopped with 40 calls served, cleanly
    return elapsed


def test_forty_vps_backups_at_once(make_stack: Callable[..., Stack], sandbox: Sandbox) -> None:
    sandbox.configure(task_seconds=BACKUP_SECONDS)
    one = plugin_stack(make_stack, sandbox, "ops-vps-one")
    baseline = timed_up(one)
    one.destroy()
    assert vps_backups(sandbox) == {}

    many = plugin_stack(make_stack, sandbox, "ops-vps-many")
    elapsed = timed_up(many, "--parallel", str(MANY))
    overhead = baseline - BACKUP_SECONDS  # the CLI, the YAML host and the plugin starting
    ratio = (elapsed - overhead) / BACKUP_SECONDS
    print(
        f"\n{MANY} VPS backups of {BACKUP_SECONDS:g} s each, --parallel {MANY}: up {elapsed:.2f} s;"
        f" one backup: up {baseline:.2f} s; (up - fixed cost) / D = {ratio:.2f};"
        f" (up - one's up) / D = {(elapsed - baseline) / BACKUP_SECONDS:.2f}"
    )
    assert ratio < 3, ratio

    state = many.resources()
    assert len(state) == MANY
    assert all(r["outputs"]["status"] == "completed" for r in state.values())
    assert len({r["id"] for r in state.values()}) == MANY
    assert len(vps_backups(sandbox)) == MANY

    many.destroy("--parallel", str(MANY))
    assert many.resources() == {}
    assert vps_backups(sandbox) == {}
