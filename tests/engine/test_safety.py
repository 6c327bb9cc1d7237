"""Data safety under the real engine, against the sandbox: what the fast tier proves with its
model of the engine (tests/examples/test_database_replacement.py, tests/reliability/
test_data_safety.py, test_lying_answers.py, test_interruption.py), run by the Pulumi CLI.

- A hosting database replaced under its dump and its restore keeps the dump and runs no
  restore again.
- A proxy's HTML 404 during `pulumi refresh` fails the refresh and drops nothing.
- `protect` refuses the delete of its resource, without a request (a destroy still deletes the
  stack's other resources); `retain_on_delete` leaves the object on the server.
- A CLI killed mid-create leaves a pending CREATE; docs/interruptions.md's procedure gives the
  object to the stack, and the next `up` creates nothing.
- Ctrl-C during a wait: the plugin's Cancel stops the wait at once and cleans up; a dynamic
  provider has no Cancel, so the CLI waits for the create to end and records it. `pulumi
  cancel` on the file backend stops nothing: it only removes the lock.

The requests are the sandbox's own counts; the state is `pulumi stack export`'s.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from examples.test_examples import EXAMPLE_CASES, footprint, settled_objects

from engine.conftest import mutations, sandbox_config
from engine.pulumi_cli import Stack, interrupt, wait_for_event
from pulumi_backups.sandbox import Sandbox

PROGRAMS = Path(__file__).parent / "programs"
SAFETY = PROGRAMS / "safety"  # snapshot, vpsbackup, rdbbackup; protect / retain from config
PLUGIN = PROGRAMS / "plugin_safety"  # a VpsBackup served by pulumi-resource-backups (YAML)
RESTORE = EXAMPLE_CASES["restore"]
DOC = Path(__file__).resolve().parents[2] / "docs" / "interruptions.md"
HOUR = 3600.0
DATABASES = "/1.0/hosting/web/{serviceName}/database"
DUMP_RESTORE = f"POST {DATABASES}/{{name}}/dump/{{id}}/restore"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
SNAPSHOT_READ = f"GET {PART}/customSnapshot/{{name}}"
CREATE_VPS_BACKUP = "POST /api/v1/backups/"
DELETE_VPS_BACKUP = "DELETE /api/v1/backups/{backup_id}/"
POLL_VPS_BACKUP = "GET /api/v1/backups/"


def pre_event(name: str, op: str) -> Callable[[dict[str, Any]], bool]:
    """The engine's resourcePreEvent of `op` on resource `name`."""

    def match(event: dict[str, Any]) -> bool:
        metadata = event.get("resourcePreEvent", {}).get("metadata")
        return bool(metadata) and metadata["urn"].endswith(f"::{name}") and metadata["op"] == op

    return match


def wait_for_request(sandbox: Sandbox, route: str, timeout: float = 60.0) -> None:
    """Until the sandbox has counted a request to `route`."""
    wait_for_count(sandbox, route, 1, timeout)


def wait_for_count(sandbox: Sandbox, route: str, count: int, timeout: float = 60.0) -> None:
    """Until the sandbox has counted `count` requests to `route`."""
    deadline = time.monotonic() + timeout
    while sandbox.counters().get(route, 0) < count:
        assert time.monotonic() < deadline, f"not {count} {route} within {timeout} s"
        time.sleep(0.05)


def step_ops(events: list[dict[str, Any]], name: str) -> list[str]:
    """The ops of `name`'s resourcePreEvents, in the engine's order."""
    metadata = [event["resourcePreEvent"]["metadata"] for event in events if pre(event)]
    return [m["op"] for m in metadata if m["urn"].endswith(f"::{name}")]


def pre(event: dict[str, Any]) -> bool:
    return bool(event.get("resourcePreEvent", {}).get("metadata"))


def kept(stack: Stack) -> dict[str, tuple[str, Any, Any]]:
    """Each resource's id, inputs and outputs in the state."""
    return {n: (r["id"], r["inputs"], r["outputs"]) for n, r in stack.resources().items()}


JQ_ADOPT = """
  .deployment.resources += [.deployment.pending_operations[]
    | select(.resource.urn == $urn) | .resource | .id = $id | .outputs = .inputs]
  | .deployment.pending_operations |= map(select(.resource.urn != $urn))"""
"""docs/interruptions.md's edit of an exported state: the pending CREATE of `$urn` becomes a
resource with id `$id` (its inputs as its outputs)."""


def adopt_pending_create(exported: Path, urn: str, id_: str) -> dict[str, Any]:
    """JQ_ADOPT run by `jq` (as the doc gives it), or the same edit where there is no jq."""
    assert " ".join(JQ_ADOPT.split()) in " ".join(DOC.read_text().split())
    if shutil.which("jq"):
        args = ["jq", "--arg", "urn", urn, "--arg", "id", id_, JQ_ADOPT, str(exported)]
        edited: dict[str, Any] = json.loads(subprocess.check_output(args, text=True))
        return edited
    state: dict[str, Any] = json.loads(exported.read_text())
    deployment = state["deployment"]
    ops = deployment.get("pending_operations") or []
    for op in ops:
        if op["resource"]["urn"] == urn:
            deployment["resources"].append(
                {**op["resource"], "id": id_, "outputs": op["resource"]["inputs"]}
            )
    deployment["pending_operations"] = [op for op in ops if op["resource"]["urn"] != urn]
    return state


def vps_backups(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return dict(settled_objects(sandbox).get("vps:backup", {}))


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs: the engine starts language hosts and provider
    plugins in process groups of their own, which a signal to the CLI's group misses."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_all(process: subprocess.Popen[str]) -> None:
    """SIGKILL to the CLI's process group and to every process it started (a CI job timeout,
    a machine restart): nothing of the deployment goes on."""
    started = descendants(process.pid)
    interrupt(process, signal.SIGKILL)
    for pid in started:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def exit_code(process: subprocess.Popen[str], timeout: float) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_all(process)
        raise


# -- 1. a database replaced under its dump and its restore --------------------------------------


def test_a_replaced_database_keeps_its_dump_and_runs_no_restore_again(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    stack = make_stack(RESTORE.path)
    sandbox_config(stack, sandbox, **RESTORE.config)
    first = stack.up()
    assert first.ops() == dict.fromkeys(RESTORE.resources, "create"), first.text
    before = stack.resources()
    dump_id = first.outputs()["restored_dump"]
    sandbox.clear_counters()

    sandbox_config(stack, sandbox, **RESTORE.config, database_type="mariadb")
    result = stack.up()

    others = {name: "same" for name in RESTORE.resources if name != "app-db"}
    assert result.ops() == {"app-db": "replace", **others}, result.text
    # delete-before-replace: the old database goes first, then the new one is made
    assert step_ops(result.events, "app-db") == ["delete-replaced", "replace", "create-replacement"]
    # the old database deleted, the new one made: no dump, no restore of any kind
    assert mutations(sandbox) == {f"DELETE {DATABASES}/{{name}}": 1, f"POST {DATABASES}": 1}
    assert DUMP_RESTORE not in sandbox.counters()
    after = stack.resources()
    assert after["app-db"]["outputs"]["type"] == "mariadb"
    for name in ("restore-point", "database-restore"):
        assert after[name]["id"] == before[name]["id"]
        assert after[name]["outputs"] == before[name]["outputs"]
    dumps = {
        int(doc["id"]): doc
        for kind, docs in settled_objects(sandbox).items()
        if kind.endswith("dump")
        for doc in docs.values()
    }
    assert dumps[dump_id]["orphan"] is True and dumps[dump_id]["status"] == "created"


# -- 2. a proxy's HTML 404 during refresh -------------------------------------------------------


def test_a_proxys_404_on_refresh_fails_it_and_drops_nothing(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    stack = make_stack(SAFETY)
    sandbox_config(stack, sandbox, kinds=["snapshot", "vps"])
    stack.up()
    kept_before = kept(stack)
    on_server = footprint(sandbox)

    sandbox.fault("html404", SNAPSHOT_READ, count=None)
    refreshed = stack.refresh(check=False)
    assert not refreshed.ok
    errors = "\n".join(refreshed.diagnostics("error"))
    assert "not an answer of the OVHcloud API" in errors, refreshed.text
    assert "engine-safety" in errors and "ovh:endpoint" in errors, errors
    assert kept(stack) == kept_before  # (a refresh drops empty propertyDependencies)
    assert stack.export().get("pending_operations") in (None, [])
    assert footprint(sandbox) == on_server

    sandbox.clear_faults()
    assert stack.refresh().summary() == {"same": 3}
    assert kept(stack) == kept_before


# -- 3. protect and retain_on_delete ------------------------------------------------------------


def test_protect_refuses_the_destroy_and_retain_on_delete_keeps_the_object(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    stack = make_stack(SAFETY)
    sandbox_config(stack, sandbox, kinds=["snapshot"], protect=["snapshot"])
    stack.up()
    assert stack.resources()["snapshot"].get("protect") is True
    on_server = footprint(sandbox)
    sandbox.clear_counters()

    refused = stack.destroy(check=False)
    assert not refused.ok
    assert "protected" in refused.text, refused.text
    assert mutations(sandbox) == {}
    assert footprint(sandbox) == on_server
    assert stack.resources().keys() == {"snapshot"}

    # protect guards that resource only: a destroy deletes the others (here the VPS backup,
    # which depends on the snapshot, so goes first), then fails on the protected one
    sandbox_config(stack, sandbox, kinds=["snapshot", "vps"], protect=["snapshot"], chain=True)
    stack.up()
    sandbox.clear_counters()
    partly = stack.destroy(check=False)
    assert not partly.ok and "protected" in partly.text, partly.text
    assert mutations(sandbox) == {DELETE_VPS_BACKUP: 1}
    assert stack.resources().keys() == {"snapshot"} and vps_backups(sandbox) == {}
    assert footprint(sandbox) == on_server

    # unprotected (the state takes the option from an `up`), and a VPS backup retained
    sandbox_config(stack, sandbox, kinds=["snapshot", "vps"], protect=[], retain=["vpsbackup"])
    stack.up()
    state = stack.resources()
    assert not state["snapshot"].get("protect")
    assert state["vpsbackup"].get("retainOnDelete") is True
    (backup_id,) = vps_backups(sandbox)
    sandbox.clear_counters()
    destroyed = stack.destroy()
    assert destroyed.ops() == {"snapshot": "delete", "vpsbackup": "delete"}
    assert stack.resources() == {}
    assert DELETE_VPS_BACKUP not in sandbox.counters()
    assert list(vps_backups(sandbox)) == [backup_id]  # retained: still on the server
    assert settled_objects(sandbox)["ovh:nasha:partition"]["zpool-000000/backups"]["custom"] == {}


# -- 4. the CLI killed in the middle of a create ------------------------------------------------


def test_a_killed_up_leaves_a_pending_create_that_the_documented_procedure_resolves(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    stack = make_stack(SAFETY)
    sandbox_config(stack, sandbox, kinds=["vps"])
    before = footprint(sandbox)
    sandbox.configure(task_seconds=HOUR)
    process, log = stack.start("up", "--yes", "--skip-preview")
    try:
        wait_for_event(log, pre_event("vpsbackup", "create"))
        wait_for_request(sandbox, CREATE_VPS_BACKUP)  # the backup is under way
    finally:
        kill_all(process)
    sandbox.advance(HOUR)  # the backup completes on the server all the same
    sandbox.configure(task_seconds=0)

    # what the state keeps: a pending CREATE, the URN and inputs, no id
    saved = json.loads(stack.run("stack", "export").stdout)
    (pending,) = saved["deployment"]["pending_operations"]
    assert pending["type"] == "creating" and not pending["resource"].get("id")
    assert pending["resource"]["inputs"]["description"] == "engine safety"
    urn = pending["resource"]["urn"]
    locked = stack.up(check=False)  # the killed CLI's lock is left on the backend
    assert not locked.ok and "locked" in locked.text
    stack.run("cancel", "--yes")

    # 1. find the object: the manual backup of the server with the program's description
    (found,) = [
        f"12345/{key}"
        for key, doc in vps_backups(sandbox).items()
        if doc["description"] == "engine safety" and doc["status"] == "completed"
    ]

    # `--import-pending-creates` marks the pending CREATE "importing"; this CLI's refresh then
    # drops it without reading the object: it would be forgotten.
    dropped = stack.refresh("--import-pending-creates", urn, "--import-pending-creates", found)
    assert "vpsbackup" not in dropped.ops()
    assert stack.resources() == {} and not stack.export().get("pending_operations")

    # 2. give it to the stack: the pending CREATE, with its id, moved into the resources
    exported = stack.dir / "state.json"
    exported.write_text(json.dumps(saved))
    fixed = stack.dir / "adopted.json"
    fixed.write_text(json.dumps(adopt_pending_create(exported, urn, found)))
    stack.run("stack", "import", "--file", str(fixed))
    sandbox.clear_counters()
    refreshed = stack.refresh()
    assert refreshed.ops() == {"vpsbackup": "same"}, refreshed.text
    assert stack.resources()["vpsbackup"]["outputs"]["status"] == "completed"

    sandbox.clear_counters()
    again = stack.up()
    assert again.summary() == {"same": 2}, again.text
    assert mutations(sandbox) == {}  # no second backup
    assert list(vps_backups(sandbox)) == [found.split("/")[1]]
    stack.destroy()
    assert footprint(sandbox) == before


# -- 5. Ctrl-C during a wait --------------------------------------------------------------------


def test_ctrl_c_cancels_the_plugins_wait_at_once_and_leaves_nothing(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    stack = make_stack(PLUGIN, env=sandbox.env())
    before = footprint(sandbox)
    sandbox.configure(task_seconds=HOUR)
    process, log = stack.start("up", "--yes", "--skip-preview")
    try:
        wait_for_event(log, pre_event("vpsbackup", "create"))
        wait_for_request(sandbox, CREATE_VPS_BACKUP)
        # `pulumi cancel` on a file backend only removes the lock: the update goes on waiting
        stack.run("cancel", "--yes")
        polls = sandbox.counters()[POLL_VPS_BACKUP]
        wait_for_count(sandbox, POLL_VPS_BACKUP, polls + 3)
        assert process.poll() is None
        interrupted = time.monotonic()
        interrupt(process)  # SIGINT to the CLI's process group, as a terminal's Ctrl-C
        code = exit_code(process, timeout=30)
    finally:
        if process.poll() is None:
            kill_all(process)
    assert time.monotonic() - interrupted < 10  # not the hour the backup takes
    assert code != 0
    failed = wait_for_event(log, lambda e: "resOpFailedEvent" in e, timeout=1)
    assert failed["resOpFailedEvent"]["metadata"]["op"] == "create"
    events = [json.loads(line) for line in log.read_text().splitlines()]
    errors = [
        e["diagnosticEvent"]["message"]
        for e in events
        if e.get("diagnosticEvent", {}).get("severity") == "error"
    ]
    assert any("cancelled while waiting for backup" in e for e in errors), errors
    assert any("was deleted" in e for e in errors), errors  # the unfinished backup
    deployment = stack.export()
    assert not deployment.get("pending_operations")
    assert stack.resources() == {}
    assert footprint(sandbox) == before

    sandbox.configure(task_seconds=0)
    assert stack.up().ops() == {"vpsbackup": "create"}  # the lock was released
    stack.destroy()
    assert footprint(sandbox) == before


def test_ctrl_c_under_a_dynamic_provider_waits_for_the_create_and_records_it(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    """The Python SDK's dynamic provider answers Cancel with nothing (and the provider's
    process, in a process group of its own, gets no SIGINT): the engine starts no other
    step and waits for the create under way, which ends and is recorded."""
    stack = make_stack(SAFETY)
    sandbox_config(stack, sandbox, kinds=["vps", "rdb"], chain=True)  # the RDB backup after
    sandbox.configure(task_seconds=4)
    process, log = stack.start("up", "--yes", "--skip-preview")
    try:
        wait_for_event(log, pre_event("vpsbackup", "create"))
        wait_for_request(sandbox, CREATE_VPS_BACKUP)
        interrupt(process)
        code = exit_code(process, timeout=60)
    finally:
        if process.poll() is None:
            kill_all(process)
    assert code != 0
    state = stack.resources()
    assert not stack.export().get("pending_operations")
    assert list(state) == ["vpsbackup"]  # the RDB backup was never started
    assert not [route for route in sandbox.counters() if route.startswith("POST /rdb/")]
    assert state["vpsbackup"]["outputs"]["status"] == "completed"
    assert list(vps_backups(sandbox)) == [str(state["vpsbackup"]["outputs"]["backup_id"])]
