"""VpsBackup and VpsRestore through the real provider host against the sandbox: preview, up,
trigger-driven replacement, refresh after out-of-band deletion, destroy, and failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import DeploymentError, Engine, sandbox_engine
from support.fakes import mutations
from support.vps import SERVER, operator_client, statuses

from pulumi_backups.sandbox import Sandbox, SandboxSettings
from pulumi_backups.vps.client import VpsClient

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "vps_backup"
CREATE = "POST /api/v1/backups/"
DELETE = "DELETE /api/v1/backups/{backup_id}/"
RESTORE = "POST /api/v1/servers/{server_id}/restore/"


def engine(sandbox: Sandbox, tmp_path: Path, **config: Any) -> Engine:
    return sandbox_engine(sandbox, PROGRAM, tmp_path, **config)


def test_backup_lifecycle(sandbox: Sandbox, tmp_path: Path, operator: VpsClient) -> None:
    run = engine(sandbox, tmp_path, description="Pre-deployment backup", triggers=["1.0"])
    sandbox.clear_counters()
    assert run.preview().op("backup") == "create"
    assert sandbox.counters() == {}  # a preview makes no HTTP call

    result = run.up()
    first = result.outputs["backup_id"]
    assert result.op("backup") == "create" and result.outputs["backup_status"] == "completed"
    assert result.outputs["server_name"] == "web-server-01"
    assert run.resource("backup").id == f"{SERVER}/{first:.0f}"
    assert mutations(sandbox) == {CREATE: 1}
    assert statuses(operator) == {first: "completed"}

    assert run.up().op("backup") == "same"
    assert mutations(sandbox) == {}

    run.configure(triggers=["1.1"])
    plan = run.preview()
    assert plan.op("backup") == "replace" and plan.step("backup").replaces == ["triggers"]
    result = run.up()
    second = result.outputs["backup_id"]
    assert result.op("backup") == "replace" and second != first
    assert not result.step("backup").delete_before_replace
    calls = result.calls_for("backup")
    assert calls.index("Create") < calls.index("Delete")  # the new backup before the old goes
    assert mutations(sandbox) == {CREATE: 1, DELETE: 1}
    assert statuses(operator) == {second: "completed"}

    assert operator.delete_backup(int(second))  # out of band
    result = run.refresh()
    assert result.op("backup") == "delete" and run.state == []

    result = run.up()
    third = result.outputs["backup_id"]
    assert result.op("backup") == "create" and statuses(operator) == {third: "completed"}
    sandbox.clear_counters()
    run.destroy()
    assert mutations(sandbox) == {DELETE: 1}
    assert statuses(operator) == {} and run.state == []


def test_restore_lifecycle(sandbox: Sandbox, tmp_path: Path, operator: VpsClient) -> None:
    run = engine(sandbox, tmp_path, restore=True, restore_triggers=["a"])
    assert run.preview().ops == {"backup": "create", "restore": "create"}
    result = run.up()
    backup_id = int(result.outputs["backup_id"])
    assert result.outputs["restore_status"] == "completed"
    assert result.outputs["restore_id"].startswith(f"{SERVER}/restore/{backup_id}/")
    assert mutations(sandbox) == {CREATE: 1, RESTORE: 1}

    first_restore = run.resource("restore").id
    run.configure(restore_triggers=["b"])
    assert run.preview().ops == {"backup": "same", "restore": "replace"}
    result = run.up()
    assert result.op("restore") == "replace" and mutations(sandbox) == {RESTORE: 1}
    assert run.resource("restore").id == result.outputs["restore_id"] != first_restore
    assert operator.get_server(SERVER).status == "running"  # type: ignore[union-attr]

    result = run.destroy()
    assert mutations(sandbox) == {DELETE: 1}  # deleting the restore calls nothing
    assert "nothing to delete" in result.host_output and run.state == []


def test_restore_refuses_a_backup_id_that_is_not_an_integer(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path, restore=True, restore_backup_id="latest")
    plan = run.preview()
    assert "backup_id" in plan.errors["restore"] and "integer" in plan.errors["restore"]
    with pytest.raises(DeploymentError, match="backup_id"):
        run.up()
    assert RESTORE not in mutations(sandbox)


def test_bad_token_and_unknown_server_say_what_to_fix(
    sandbox: Sandbox, tmp_path: Path, operator: VpsClient
) -> None:
    run = engine(sandbox, tmp_path)
    run.stack_config["vps:apiToken"] = "not-the-token"
    with pytest.raises(DeploymentError) as caught:
        run.up()
    message = caught.value.errors["backup"]
    assert "HTTP 401" in message and "Invalid token." in message and "vps:apiToken" in message

    run = engine(sandbox, tmp_path, server_id=99999)
    with pytest.raises(DeploymentError) as caught:
        run.up()
    message = caught.value.errors["backup"]
    assert "VpsBackup on server 99999" in message and "HTTP 404" in message
    assert "server 99999 does not exist" in message
    assert run.state == [] and statuses(operator) == {}


@pytest.fixture(scope="module")
def seeded_sandbox() -> Iterator[Sandbox]:
    """A sandbox whose fault draws are reproducible: with seed 41 and half of the requests
    failing, the first three requests get 503 and the next four go through."""
    server = Sandbox(SandboxSettings(task_seconds=0, seed=41)).start()
    yield server
    server.stop()


def test_5xx_bursts_are_retried(seeded_sandbox: Sandbox, tmp_path: Path) -> None:
    seeded_sandbox.reset()
    seeded_sandbox.configure(error_rate=0.5)
    run = engine(seeded_sandbox, tmp_path, restore=True)
    result = run.up()
    counts = mutations(seeded_sandbox)
    seeded_sandbox.configure(error_rate=0)
    assert result.outputs["backup_status"] == "completed"
    assert result.outputs["restore_status"] == "completed"
    # A refused POST is sent again (as often as the seeded draws refuse it): one backup.
    assert set(counts) == {CREATE, RESTORE} and counts[RESTORE] == 1
    with operator_client(seeded_sandbox) as operator:
        assert statuses(operator) == {int(result.outputs["backup_id"]): "completed"}


def test_failed_backup_is_deleted_and_named(
    sandbox: Sandbox, tmp_path: Path, operator: VpsClient
) -> None:
    sandbox.script("vps:backup/create", "fail")
    run = engine(sandbox, tmp_path)
    with pytest.raises(DeploymentError) as caught:
        run.up()
    message = caught.value.errors["backup"]
    assert "backup 501 of server 12345 ended with status 'failed'" in message
    assert "was deleted" in message
    assert statuses(operator) == {} and run.state == []


def test_backup_that_never_ends_times_out_and_is_deleted(
    sandbox: Sandbox, tmp_path: Path, operator: VpsClient
) -> None:
    sandbox.script("vps:backup/create", "hang")
    run = engine(sandbox, tmp_path, timeouts={"create": 1})
    with pytest.raises(DeploymentError, match=r"timed out after 1 s .*'in_progress'"):
        run.up()
    assert statuses(operator) == {}


def test_failed_restore_fails_the_create(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.script("vps:server/restore", "fail")
    run = engine(sandbox, tmp_path, restore=True)
    with pytest.raises(DeploymentError) as caught:
        run.up()
    message = caught.value.errors["restore"]
    assert "server 12345 to come back after restoring backup 501" in message
    assert "'error'" in message
    assert [r.name for r in run.state] == ["backup"]
