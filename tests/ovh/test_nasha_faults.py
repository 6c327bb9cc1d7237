"""NAS-HA resources when the API lies or loses its answer, through the real provider host.

Faults are the sandbox's targeted ones: `html404` (a proxy's HTML page where the API would
answer), `lost-500` and `lost-drop` (the server carries the request out; the client gets a
500, or a connection closed mid-answer). What must hold whatever happens:

- the schedule a partition had before a NashaSnapshotPolicy took it over is the one its
  destroy puts back, even after a lie, a lost answer or a create run again;
- a custom snapshot or frequency that a lost request made is taken (never left unknown);
- a delete whose answer was lost ends with the object gone and the resource out of the
  state, checked on the server; a lying 404 never drops a resource whose object still exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import DeploymentError, Engine, save_state

from pulumi_backups.core import WaitPolicy
from pulumi_backups.ovh.client import OvhClient
from pulumi_backups.ovh.nasha.client import NashaPartition
from pulumi_backups.ovh.nasha.policy_operations import RECORD
from pulumi_backups.ovh.nasha.waiters import wait_nasha
from pulumi_backups.sandbox import Sandbox

PROGRAMS = Path(__file__).resolve().parents[1] / "programs"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
LIST_TYPES = f"GET {PART}/snapshot"
ADD = f"POST {PART}/snapshot"
REMOVE = f"DELETE {PART}/snapshot/{{snapshotType}}"
TAKE = f"POST {PART}/customSnapshot"
DROP = f"DELETE {PART}/customSnapshot/{{name}}"
GET_CUSTOM = f"GET {PART}/customSnapshot/{{name}}"
LOST = ["lost-500", "lost-drop"]
TASK = 30.0
READS = {
    f"GET {PART}/customSnapshot",
    GET_CUSTOM,
    LIST_TYPES,
    "GET /1.0/dedicated/nasha/{serviceName}/task/{taskId}",
}
FAST = WaitPolicy(timeout=5)


def nas(sandbox: Sandbox) -> NashaPartition:
    return NashaPartition(OvhClient(sandbox.ovh_settings()), "zpool-000000", "backups")


def partition_doc(sandbox: Sandbox) -> dict[str, Any]:
    """The partition as the sandbox holds it (snapshot types and custom snapshots)."""
    (doc,) = sandbox.objects()["ovh:nasha:partition"].values()
    return dict(doc)


def schedule(sandbox: Sandbox) -> list[str]:
    return sorted(partition_doc(sandbox)["snapshots"])


def customs(sandbox: Sandbox) -> list[str]:
    return sorted(partition_doc(sandbox)["custom"])


def engine(sandbox: Sandbox, path: Path, program: str, **config: Any) -> Engine:
    project = {"nasha_policy": "nasha-policy", "nasha_snapshot": "nasha-snapshot"}[program]
    settings = {f"{project}:{key}": value for key, value in config.items()}
    return Engine(PROGRAMS / program, path, {**sandbox.stack_config(), **settings})


def policy(sandbox: Sandbox, tmp_path: Path, *frequencies: str, stack: str = "a") -> Engine:
    path = tmp_path / f"{stack}.json"
    return engine(sandbox, path, "nasha_policy", frequencies=list(frequencies))


def forget(run: Engine, name: str) -> None:
    """`pulumi state delete URN`: the stack no longer knows the resource; the API is untouched."""
    kept = [res for res in run.state if res.name != name]
    save_state(run.state_path, kept, run.project, run.stack)


@pytest.fixture
def slow_tasks(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """NAS-HA tasks last TASK seconds, and the sandbox clock moves on by as much whenever a
    task, a custom snapshot or the schedule is read (less than the signature's window): a
    request sent again at once after a lost answer meets the first one's task still running,
    as it would on the real service, and the provider's next read sees it done."""
    ctx = sandbox.context
    assert ctx is not None
    count = ctx.count

    def counting(key: str) -> None:
        count(key)
        if key in READS:
            ctx.advance(TASK)

    monkeypatch.setattr(ctx, "count", counting)
    sandbox.configure(task_seconds=TASK)
    yield
    sandbox.configure(task_seconds=0)


# -- the initial schedule ---------------------------------------------------------------------


def test_a_lying_404_at_refresh_keeps_the_policy_and_its_initial_schedule(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = policy(sandbox, tmp_path, "hour-1", "hour-6")
    run.up()
    sandbox.fault("html404", LIST_TYPES)
    with pytest.raises(DeploymentError) as caught:
        run.refresh()
    assert (
        "GET /dedicated/nasha/zpool-000000/partition/backups/snapshot"
        in (caught.value.errors["schedule"])
    )
    assert run.resource("schedule").plain_outputs()["initial_frequencies"] == ["day-1"]
    run.destroy()
    assert schedule(sandbox) == ["day-1"] and customs(sandbox) == []


def test_a_lying_404_at_destroy_keeps_the_policy_until_its_schedule_is_restored(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = policy(sandbox, tmp_path, "hour-1", "hour-6")
    run.up()
    sandbox.fault("html404", LIST_TYPES)
    with pytest.raises(DeploymentError) as caught:
        run.destroy()
    assert "snapshot" in caught.value.errors["schedule"]
    assert [res.name for res in run.state] == ["schedule"]
    assert schedule(sandbox) == ["hour-1", "hour-6"]
    run.destroy()
    assert run.state == [] and schedule(sandbox) == ["day-1"] and customs(sandbox) == []


@pytest.mark.parametrize("how", ["state delete", "second stack"])
def test_a_policy_created_again_restores_the_schedule_found_first(
    sandbox: Sandbox, tmp_path: Path, how: str
) -> None:
    first = policy(sandbox, tmp_path, "hour-1", "hour-6")
    first.up()
    if how == "state delete":
        forget(first, "schedule")
        again = first
    else:
        again = policy(sandbox, tmp_path, "hour-1", "hour-6", stack="b")
    result = again.up()
    assert result.op("schedule") == "create"
    assert result.outputs["initial_frequencies"] == ["day-1"]
    again.destroy()
    assert schedule(sandbox) == ["day-1"] and customs(sandbox) == []


def test_an_uncertain_schedule_is_said_and_declared(sandbox: Sandbox, tmp_path: Path) -> None:
    partition = nas(sandbox)
    for name in (f"{RECORD}.day-1", f"{RECORD}.day-2"):  # e.g. two stacks racing
        wait_nasha(partition, partition.create_custom_snapshot(name, None), FAST)
    run = policy(sandbox, tmp_path, "hour-1")
    with pytest.raises(DeploymentError) as caught:
        run.up()
    message = caught.value.errors["schedule"]
    assert "the schedule to restore on partition backups of NAS-HA zpool-000000 is uncertain" in (
        message
    )
    assert "declare it with restore_frequencies" in message and schedule(sandbox) == ["day-1"]

    run.configure(restore_frequencies=["day-1"])
    assert run.up().outputs["initial_frequencies"] == ["day-1"]
    run.destroy()
    assert schedule(sandbox) == ["day-1"] and customs(sandbox) == []


# -- lost answers: creates --------------------------------------------------------------------


@pytest.mark.parametrize("fault", LOST)
def test_a_custom_snapshot_whose_create_answer_is_lost_is_taken(
    sandbox: Sandbox, tmp_path: Path, fault: str
) -> None:
    run = engine(sandbox, tmp_path / "s.json", "nasha_snapshot", name="nightly")
    sandbox.fault(fault, TAKE)
    result = run.up()
    assert result.op("snapshot") == "create" and sandbox.faults() == []
    assert run.resource("snapshot").id == "zpool-000000/backups/nightly"
    assert customs(sandbox) == ["nightly"]
    run.destroy()
    assert customs(sandbox) == []


def test_a_lost_create_answer_is_sent_again_until_an_answer_comes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The request sent again meets failures too (a server restarting): it is sent until an
    answer says whether the first one made the snapshot, then the snapshot is taken."""
    run = engine(sandbox, tmp_path / "s.json", "nasha_snapshot", name="nightly")
    sandbox.fault("lost-500", TAKE)
    sandbox.fault("500", TAKE, count=3)
    result = run.up()
    assert result.op("snapshot") == "create" and sandbox.faults() == []
    assert customs(sandbox) == ["nightly"]
    run.destroy()
    assert customs(sandbox) == []


def test_a_lost_create_answer_never_takes_a_snapshot_that_was_there_before(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    partition = nas(sandbox)
    wait_nasha(partition, partition.create_custom_snapshot("nightly", None), FAST)
    run = engine(sandbox, tmp_path / "s.json", "nasha_snapshot", name="nightly")
    sandbox.fault("lost-500", TAKE)
    with pytest.raises(DeploymentError) as caught:
        run.up()
    assert "nightly" in caught.value.errors["snapshot"] and run.state == []
    assert customs(sandbox) == ["nightly"]


@pytest.mark.parametrize("fault", LOST)
def test_a_frequency_whose_add_answer_is_lost_is_taken(
    sandbox: Sandbox, tmp_path: Path, fault: str
) -> None:
    run = policy(sandbox, tmp_path, "day-1", "hour-6")
    sandbox.fault(fault, ADD)
    result = run.up()
    assert result.outputs["frequencies"] == ["day-1", "hour-6"]
    assert result.outputs["initial_frequencies"] == ["day-1"]
    run.configure(frequencies=["day-1", "day-7", "hour-6"])
    sandbox.fault(fault, ADD)
    assert run.up().outputs["frequencies"] == ["day-1", "day-7", "hour-6"]
    assert sandbox.faults() == []
    run.destroy()
    assert schedule(sandbox) == ["day-1"] and customs(sandbox) == []


@pytest.mark.parametrize("fault", LOST)
def test_a_policy_whose_schedule_record_answer_is_lost_still_restores_it(
    sandbox: Sandbox, tmp_path: Path, fault: str
) -> None:
    run = policy(sandbox, tmp_path, "hour-1", "hour-6")
    sandbox.fault(fault, TAKE)
    run.up()
    assert sandbox.faults() == [] and customs(sandbox) == [f"{RECORD}.day-1"]
    sandbox.fault(fault, DROP)  # and the answer to the record's deletion
    run.destroy()
    assert sandbox.faults() == [] and run.state == []
    assert schedule(sandbox) == ["day-1"] and customs(sandbox) == []


# -- lost answers: deletes --------------------------------------------------------------------


@pytest.mark.parametrize("fault", LOST)
def test_a_custom_snapshot_whose_delete_answer_is_lost_ends_gone(
    sandbox: Sandbox, tmp_path: Path, fault: str, slow_tasks: None
) -> None:
    run = engine(sandbox, tmp_path / "s.json", "nasha_snapshot", name="nightly")
    run.up()
    sandbox.fault(fault, DROP)
    run.destroy()
    assert run.state == [] and customs(sandbox) == [] and sandbox.faults() == []


@pytest.mark.parametrize("fault", LOST)
def test_a_frequency_whose_remove_answer_is_lost_ends_removed(
    sandbox: Sandbox, tmp_path: Path, fault: str, slow_tasks: None
) -> None:
    run = policy(sandbox, tmp_path, "day-1", "hour-6")
    run.up()
    run.configure(frequencies=["day-1"])
    sandbox.fault(fault, REMOVE)
    assert run.up().outputs["frequencies"] == ["day-1"]
    run.configure(frequencies=["day-1", "hour-6"])
    run.up()
    sandbox.fault(fault, REMOVE)
    run.destroy()
    assert run.state == [] and sandbox.faults() == []
    assert schedule(sandbox) == ["day-1"] and customs(sandbox) == []


def test_a_lying_404_on_a_custom_snapshot_delete_keeps_it_in_the_state(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path / "s.json", "nasha_snapshot", name="nightly")
    run.up()
    sandbox.fault("html404", DROP)
    with pytest.raises(DeploymentError) as caught:
        run.destroy()
    assert "nightly" in caught.value.errors["snapshot"]
    assert [res.name for res in run.state] == ["snapshot"] and customs(sandbox) == ["nightly"]
    run.destroy()
    assert run.state == [] and customs(sandbox) == []


def test_a_proxy_404_on_a_delete_task_fails_the_destroy_and_keeps_the_snapshot(
    sandbox: Sandbox, tmp_path: Path, slow_tasks: None
) -> None:
    """The task's route answers a proxy's HTML 404 while the task runs, and then fails: no
    proof of anything, so the destroy fails naming the endpoint and the state keeps it."""
    run = engine(sandbox, tmp_path / "s.json", "nasha_snapshot", timeouts={"delete": 1})
    run.up()
    sandbox.script("nasha:customSnapshot/delete", "fail")
    sandbox.fault("html404", "GET /1.0/dedicated/nasha/{serviceName}/task/{taskId}")
    with pytest.raises(DeploymentError) as caught:
        run.destroy()
    assert "check the endpoint, stack config `ovh:endpoint`" in caught.value.errors["snapshot"]
    assert [res.name for res in run.state] == ["snapshot"] and customs(sandbox) == ["nightly"]
    run.destroy()
    assert run.state == [] and customs(sandbox) == []
