"""NAS-HA resources through the real provider host against the sandbox: preview, up, refresh,
destroy, with the API calls counted per route."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import DeploymentError, Engine, sandbox_engine
from support.fakes import mutations

from pulumi_backups.core import WaitPolicy
from pulumi_backups.ovh.client import OvhClient
from pulumi_backups.ovh.nasha.client import NashaPartition
from pulumi_backups.ovh.nasha.policy_operations import RECORD
from pulumi_backups.ovh.nasha.waiters import wait_nasha
from pulumi_backups.sandbox import Sandbox

PROGRAMS = Path(__file__).resolve().parents[1] / "programs"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
ADD = f"POST {PART}/snapshot"
REMOVE = f"DELETE {PART}/snapshot/{{snapshotType}}"
TAKE = f"POST {PART}/customSnapshot"
DROP = f"DELETE {PART}/customSnapshot/{{name}}"


def nas(sandbox: Sandbox) -> NashaPartition:
    """The partition as an operator acting out of band sees it (a fresh client each time:
    python-ovh learns the server time once, and tests move the sandbox clock)."""
    settings = sandbox.ovh_settings()
    return NashaPartition(OvhClient(settings), "zpool-000000", "backups")


def schedule(sandbox: Sandbox) -> list[str]:
    return sorted(nas(sandbox).snapshot_types())


def task_log(sandbox: Sandbox) -> list[str]:
    """What every NAS-HA task started so far did, in order ("Add snapshot type day-7 ...")."""
    tasks = sandbox.objects().get("ovh:nasha:task", {}).values()
    return [t["details"] for t in sorted(tasks, key=lambda t: int(t["taskId"]))]


def engine(sandbox: Sandbox, tmp_path: Path, program: str, **config: Any) -> Engine:
    return sandbox_engine(sandbox, PROGRAMS / program, tmp_path, **config)


# -- NashaSnapshotPolicy ------------------------------------------------------------------------


def test_policy_lifecycle(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, "nasha_policy", frequencies=["hour-6", "day-1"])
    assert run.preview().op("schedule") == "create"
    assert mutations(sandbox) == {} and schedule(sandbox) == ["day-1"]

    result = run.up()  # from the default schedule: recorded, then only hour-6 is added
    assert result.op("schedule") == "create"
    assert mutations(sandbox) == {TAKE: 1, ADD: 1}
    assert nas(sandbox).custom_snapshot_names() == [f"{RECORD}.day-1"]
    assert schedule(sandbox) == ["day-1", "hour-6"]
    assert result.outputs["frequencies"] == ["day-1", "hour-6"]
    assert result.outputs["initial_frequencies"] == ["day-1"]
    assert result.outputs["policy_id"] == "zpool-000000/backups"

    run.configure(frequencies=["day-1", "hour-6"])  # order is no change
    assert run.preview().op("schedule") == "same"

    run.configure(frequencies=["day-1", "day-7"])  # one frequency changed
    assert run.preview().op("schedule") == "update"
    assert mutations(sandbox) == {}
    before = len(task_log(sandbox))
    assert run.up().op("schedule") == "update"
    assert mutations(sandbox) == {REMOVE: 1, ADD: 1}
    assert task_log(sandbox)[before:] == [
        "Remove snapshot type hour-6 from partition backups",
        "Add snapshot type day-7 to partition backups",
    ]
    assert schedule(sandbox) == ["day-1", "day-7"]
    assert run.preview().op("schedule") == "same"

    run.destroy()  # back to the default schedule: day-7 removed, day-1 kept, record dropped
    assert mutations(sandbox) == {REMOVE: 1, DROP: 1}
    assert task_log(sandbox)[-2] == "Remove snapshot type day-7 from partition backups"
    assert schedule(sandbox) == ["day-1"] and nas(sandbox).custom_snapshot_names() == []
    assert run.state == []


def test_policy_refresh_reports_out_of_band_changes(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, "nasha_policy", frequencies=["day-1", "hour-6"])
    run.up()
    partition = nas(sandbox)
    wait_nasha(partition, partition.remove_snapshot_type("hour-6"), WaitPolicy(timeout=5))
    wait_nasha(partition, partition.add_snapshot_type("day-3"), WaitPolicy(timeout=5))
    sandbox.clear_counters()

    refreshed = run.refresh()
    assert (
        refreshed.op("schedule") == "update" and "frequencies" in refreshed.step("schedule").changed
    )
    assert run.resource("schedule").plain_outputs()["frequencies"] == ["day-1", "day-3"]
    assert run.preview().op("schedule") == "update"  # the drift shows in the next preview

    run.up()  # removes day-3 (now in the state) and puts hour-6 back
    assert mutations(sandbox) == {REMOVE: 1, ADD: 1}
    assert schedule(sandbox) == ["day-1", "hour-6"]


def test_policy_never_removes_what_the_state_does_not_show(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path, "nasha_policy", frequencies=["day-1", "hour-6"])
    run.up()
    partition = nas(sandbox)  # added out of band, never refreshed into the state
    wait_nasha(partition, partition.add_snapshot_type("day-2"), WaitPolicy(timeout=5))
    run.configure(frequencies=["day-1"])
    sandbox.clear_counters()
    run.up()
    assert mutations(sandbox) == {REMOVE: 1}
    assert schedule(sandbox) == ["day-1", "day-2"]


def test_policy_replaces_its_whole_schedule_removing_first(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(
        sandbox, tmp_path, "nasha_policy", frequencies=["hour-1", "hour-6", "day-2", "day-7"]
    )
    run.up()  # 4 is the maximum: day-1 must go before the fourth addition
    assert schedule(sandbox) == ["day-2", "day-7", "hour-1", "hour-6"]
    assert run.resource("schedule").plain_outputs()["initial_frequencies"] == ["day-1"]
    run.destroy()
    assert schedule(sandbox) == ["day-1"]


def test_policy_check_failures_reach_the_user(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, "nasha_policy", frequencies=["day-1", "day-1", "week-1"])
    plan = run.preview()
    assert "week-1" in plan.errors["schedule"] and "frequencies.2" in plan.errors["schedule"]
    run.configure(frequencies=["day-1", "day-1"])
    with pytest.raises(DeploymentError) as raised:
        run.up()
    assert "more than once" in raised.value.errors["schedule"]
    assert mutations(sandbox) == {}


def test_policy_failed_task_is_named_and_create_undone(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, "nasha_policy", frequencies=["hour-1", "hour-6"])
    sandbox.script("nasha:snapshot/create", "fail")
    with pytest.raises(DeploymentError) as raised:
        run.up()
    message = raised.value.errors["schedule"]
    assert "NashaSnapshotPolicy zpool-000000/backups: create failed" in message
    assert "NAS-HA task clusterLeclercSnapshotUpdate #" in message
    assert "'customerError': Add snapshot type hour-1" in message
    assert "removed day-1 before that, now undone" in message
    assert schedule(sandbox) == ["day-1"] and run.state == []


def test_policy_never_ending_task_times_out_naming_it(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, "nasha_policy", frequencies=["day-1", "hour-6"])
    run.up()
    run.configure(frequencies=["day-1"], timeouts={"update": 1})
    sandbox.script("nasha:snapshot/delete", "hang")
    with pytest.raises(DeploymentError) as raised:
        run.up()
    message = raised.value.errors["schedule"]
    assert "NashaSnapshotPolicy zpool-000000/backups: update failed" in message
    assert "timed out after 1 s waiting for NAS-HA task clusterLeclercSnapshotUpdate #" in message
    assert run.resource("schedule").plain_outputs()["frequencies"] == ["day-1", "hour-6"]


# -- NashaCustomSnapshot ------------------------------------------------------------------------


def test_custom_snapshot_lifecycle(sandbox: Sandbox, tmp_path: Path) -> None:
    expires = (date.today() + timedelta(days=30)).isoformat()
    run = engine(sandbox, tmp_path, "nasha_snapshot", name="nightly", expiration=expires)
    assert run.preview().op("snapshot") == "create"
    result = run.up()
    assert mutations(sandbox) == {TAKE: 1}
    assert result.outputs["snapshot_id"] == "zpool-000000/backups/nightly"
    stored = result.outputs["expiration"]
    assert (
        stored.startswith(f"{expires}T00:00:00")
        and stored == nas(sandbox).custom_snapshot("nightly").expiration
    )
    assert run.preview().op("snapshot") == "same"  # the stored spelling is no change

    run.configure(name="nightly-2")  # rename: the new one first, then the old one goes
    plan = run.preview()
    assert plan.op("snapshot") == "replace" and plan.step("snapshot").replaces == ["name"]
    result = run.up()
    assert result.calls_for("snapshot")[-2:] == ["Create", "Delete"]
    assert mutations(sandbox) == {TAKE: 1, DROP: 1}
    assert nas(sandbox).custom_snapshot_names() == ["nightly-2"]

    run.configure(expiration=None)  # same name: the old one must go first
    plan = run.preview()
    assert plan.op("snapshot") == "replace" and plan.step("snapshot").delete_before_replace
    assert run.up().calls_for("snapshot")[-2:] == ["Delete", "Create"]
    assert nas(sandbox).custom_snapshot("nightly-2").expiration is None

    run.destroy()
    assert mutations(sandbox) == {TAKE: 1, DROP: 2}
    assert nas(sandbox).custom_snapshot_names() == []


def test_custom_snapshot_gone_out_of_band_or_expired(sandbox: Sandbox, tmp_path: Path) -> None:
    expires = (date.today() + timedelta(days=2)).isoformat()
    run = engine(sandbox, tmp_path, "nasha_snapshot", expiration=expires)
    run.up()
    partition = nas(sandbox)
    wait_nasha(partition, partition.delete_custom_snapshot("nightly"), WaitPolicy(timeout=5))
    assert run.refresh().op("snapshot") == "delete" and run.state == []
    assert run.up().op("snapshot") == "create"  # taken again

    sandbox.advance(3 * 86400)
    assert run.refresh().op("snapshot") == "delete" and run.state == []
    run.destroy()  # nothing left to delete


def test_custom_snapshot_failures_name_the_task(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, "nasha_snapshot", timeouts={"create": 1})
    sandbox.script("nasha:customSnapshot/create", "hang")
    with pytest.raises(DeploymentError) as raised:
        run.up()
    message = raised.value.errors["snapshot"]
    assert "NashaCustomSnapshot zpool-000000/backups/nightly: create failed" in message
    assert "NAS-HA task clusterLeclercCustomSnapCreate #" in message
    assert "outside of the state" in message and run.state == []

    run = engine(sandbox, tmp_path, "nasha_snapshot", name="weekly")
    run.up()
    sandbox.script("nasha:customSnapshot/delete", "fail")
    with pytest.raises(DeploymentError) as raised:
        run.destroy()
    message = raised.value.errors["snapshot"]
    assert "NashaCustomSnapshot zpool-000000/backups/weekly: delete failed" in message
    assert "clusterLeclercCustomSnapDelete" in message and "'customerError'" in message
    assert len(run.state) == 1  # still managed: destroy can be run again
    run.destroy()
    assert run.state == []


def test_custom_snapshot_past_expiration_is_refused_before_any_request(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path, "nasha_snapshot", expiration="2001-01-01")
    sandbox.clear_counters()
    with pytest.raises(DeploymentError) as raised:
        run.up()
    assert "check failed: expiration: is in the past" in str(raised.value)
    assert mutations(sandbox) == {} and run.state == []
