"""NAS-HA providers' CRUD against the sandbox, in process, on a fake clock (no waiting)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fakes import FakeClock, mutations
from support.ovh import fast_ovh_client

from pulumi_backups.core import BackupsError, TaskFailedError, WaitPolicy, WaitTimeoutError
from pulumi_backups.ovh.client import OvhClient, clients
from pulumi_backups.ovh.nasha.client import NashaPartition
from pulumi_backups.ovh.nasha.policy_operations import RECORD
from pulumi_backups.ovh.nasha.waiters import wait_nasha
from pulumi_backups.ovh.nasha_custom_snapshot import (
    NashaCustomSnapshotArgs,
    NashaCustomSnapshotProvider,
)
from pulumi_backups.ovh.nasha_snapshot_policy import (
    NashaSnapshotPolicyArgs,
    NashaSnapshotPolicyProvider,
)
from pulumi_backups.sandbox import Sandbox

WHERE = {"service_name": "zpool-000000", "partition_name": "backups"}
ID = "zpool-000000/backups"


@pytest.fixture
def client(sandbox: Sandbox, clock: FakeClock) -> Iterator[OvhClient]:
    """The sandbox's client, served to every provider of the test."""
    with clients.substitute(fast_ovh_client(sandbox, attempts=3, clock=clock)) as served:
        yield served


@pytest.fixture
def nas(client: OvhClient) -> NashaPartition:
    return NashaPartition(client, "zpool-000000", "backups")


@pytest.fixture
def policy(client: OvhClient) -> NashaSnapshotPolicyProvider:
    return NashaSnapshotPolicyProvider()


@pytest.fixture
def snapshots(client: OvhClient) -> NashaCustomSnapshotProvider:
    return NashaCustomSnapshotProvider()


def policy_args(*frequencies: str, **extra: object) -> NashaSnapshotPolicyArgs:
    return NashaSnapshotPolicyArgs.model_validate(
        {**WHERE, "frequencies": sorted(frequencies), **extra}
    )


# -- NashaSnapshotPolicy ------------------------------------------------------------------------


def test_create_records_the_initial_schedule(
    policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    resource_id, outs = policy.create_resource(policy_args("hour-6", "day-7"))
    assert resource_id == ID
    assert outs == {"frequencies": ["day-7", "hour-6"], "initial_frequencies": ["day-1"]}
    assert sorted(nas.snapshot_types()) == ["day-7", "hour-6"]


def test_update_failing_part_way_says_what_was_changed(
    sandbox: Sandbox, policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    _, outs = policy.create_resource(policy_args("day-1"))
    sandbox.script("nasha:snapshot/create", "fail")
    olds = {**WHERE, **outs}
    with pytest.raises(TaskFailedError) as raised:
        policy.update_resource(ID, olds, policy_args("hour-1", "hour-6"))
    message = str(raised.value)
    assert "clusterLeclercSnapshotUpdate" in message and "Add snapshot type hour-1" in message
    assert message.endswith("removed day-1 on partition backups of NAS-HA zpool-000000 before that")
    assert nas.snapshot_types() == []


def test_create_whose_undo_fails_says_what_the_schedule_was(
    sandbox: Sandbox, policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    sandbox.script("nasha:snapshot/create", "fail", count=2)  # the change, then its undo
    with pytest.raises(TaskFailedError) as raised:
        policy.create_resource(policy_args("hour-1"))
    message = str(raised.value)
    assert "Add snapshot type hour-1" in message
    assert "removed day-1 before that, and undoing it failed (NAS-HA task" in message
    assert "Add snapshot type day-1" in message and "the schedule was [day-1]" in message
    assert message.endswith(f"record {RECORD}.day-1 on {nas} keeps the schedule of before")
    assert nas.snapshot_types() == [] and nas.custom_snapshot_names() == [f"{RECORD}.day-1"]


def test_create_deadline_covers_every_task(
    sandbox: Sandbox, policy: NashaSnapshotPolicyProvider, clock: FakeClock
) -> None:
    sandbox.script("nasha:snapshot/create", "hang")
    with pytest.raises(WaitTimeoutError) as raised:
        policy.create_resource(policy_args("hour-1", timeouts={"create": 90}))
    assert "timed out after 90 s" in str(raised.value)
    assert "removed day-1 before that" in str(raised.value)
    assert clock.t == pytest.approx(90)


def test_read_reports_the_schedule_or_gone(
    policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    _, outs = policy.create_resource(policy_args("day-1", "hour-6"))
    props = {**WHERE, **outs}
    wait_nasha(nas, nas.add_snapshot_type("day-2"), WaitPolicy(timeout=10))
    read = policy.read_resource(ID, policy_args("day-1", "hour-6"), props)
    assert read == {
        **WHERE,
        "frequencies": ["day-1", "day-2", "hour-6"],
        "initial_frequencies": ["day-1"],
    }
    assert policy.read_resource("zpool-000000/gone", policy_args("day-1"), props) is None


def test_delete_restores_what_it_can_and_tolerates_gone(
    sandbox: Sandbox, policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    _, outs = policy.create_resource(policy_args("hour-1"))
    assert outs["initial_frequencies"] == ["day-1"]
    policy.delete_resource("zpool-000000/gone", policy_args("day-1"), outs)
    bare = {**WHERE, "frequencies": ["hour-1"]}  # the state lost it: the record tells
    policy.delete_resource(ID, policy_args("hour-1"), bare)
    assert nas.snapshot_types() == ["day-1"] and nas.custom_snapshot_names() == []

    wait_nasha(nas, nas.add_snapshot_type("hour-6"), WaitPolicy(timeout=10))
    sandbox.clear_counters()
    policy.delete_resource(ID, policy_args("hour-6"), {**bare, "frequencies": ["hour-6"]})
    assert mutations(sandbox) == {}  # nothing recorded: the schedule is left as it is
    assert nas.snapshot_types() == ["day-1", "hour-6"]


def test_restore_frequencies_declares_the_schedule_to_restore(
    sandbox: Sandbox, policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    args = policy_args("hour-1", restore_frequencies=["day-7", "day-1"])
    _, outs = policy.create_resource(args)
    assert outs["initial_frequencies"] == ["day-1", "day-7"]
    assert nas.custom_snapshot_names() == []  # declared: nothing to record
    policy.delete_resource(ID, args, {**WHERE, **outs})
    assert sorted(nas.snapshot_types()) == ["day-1", "day-7"]


def test_restore_frequencies_no_longer_declared_falls_back_to_the_record(
    policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    _, outs = policy.create_resource(policy_args("hour-1"))  # recorded: [day-1]
    declared = policy_args("hour-1", restore_frequencies=["day-7"])
    outs = policy.update_resource(ID, {**WHERE, **outs}, declared)
    assert outs["initial_frequencies"] == ["day-7"]
    outs = policy.update_resource(ID, {**declared.to_inputs(), **outs}, policy_args("hour-1"))
    assert outs["initial_frequencies"] == ["day-1"]
    policy.delete_resource(ID, policy_args("hour-1"), {**WHERE, **outs})
    assert nas.snapshot_types() == ["day-1"] and nas.custom_snapshot_names() == []


def test_a_record_and_a_state_that_disagree_make_the_schedule_uncertain(
    policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    _, outs = policy.create_resource(policy_args("hour-1"))  # recorded: [day-1]
    with pytest.raises(BackupsError) as raised:
        policy.delete_resource(
            ID, policy_args("hour-1"), {**WHERE, **outs, "initial_frequencies": ["day-2"]}
        )
    assert "the state says [day-2], record" in str(raised.value)
    assert "restore_frequencies" in str(raised.value) and nas.snapshot_types() == ["hour-1"]


def test_several_records_make_the_schedule_uncertain(
    policy: NashaSnapshotPolicyProvider, nas: NashaPartition
) -> None:
    for name in (f"{RECORD}.day-1", f"{RECORD}.day-2"):
        wait_nasha(nas, nas.create_custom_snapshot(name, None), WaitPolicy(timeout=10))
    with pytest.raises(BackupsError) as raised:
        policy.create_resource(policy_args("hour-1"))
    message = str(raised.value)
    assert f"the schedule to restore on {nas} is uncertain" in message
    assert f"{RECORD}.day-1, {RECORD}.day-2" in message and "restore_frequencies" in message
    assert nas.snapshot_types() == ["day-1"]


# -- NashaCustomSnapshot ------------------------------------------------------------------------


def snapshot_args(**extra: object) -> NashaCustomSnapshotArgs:
    return NashaCustomSnapshotArgs.model_validate({**WHERE, "name": "nightly", **extra})


def test_snapshot_create_read_delete(
    snapshots: NashaCustomSnapshotProvider, nas: NashaPartition
) -> None:
    resource_id, outs = snapshots.create_resource(snapshot_args(expiration="2099-01-01"))
    assert resource_id == "zpool-000000/backups/nightly"
    assert outs == {"expiration": "2099-01-01T00:00:00+01:00"}
    read = snapshots.read_resource(resource_id, snapshot_args(), {})
    assert read == {**WHERE, "name": "nightly", "expiration": "2099-01-01T00:00:00+01:00"}
    snapshots.delete_resource(resource_id, snapshot_args(), {})
    assert nas.custom_snapshot_names() == []
    assert snapshots.read_resource(resource_id, snapshot_args(), {}) is None
    snapshots.delete_resource(resource_id, snapshot_args(), {})  # already gone: fine


def test_snapshot_failed_task_leaves_nothing(
    sandbox: Sandbox, snapshots: NashaCustomSnapshotProvider, nas: NashaPartition
) -> None:
    sandbox.script("nasha:customSnapshot/create", "fail")
    with pytest.raises(TaskFailedError, match="clusterLeclercCustomSnapCreate #"):
        snapshots.create_resource(snapshot_args())
    assert nas.custom_snapshot_names() == []


def test_snapshot_never_ending_task_names_what_may_be_left(
    sandbox: Sandbox, snapshots: NashaCustomSnapshotProvider, clock: FakeClock
) -> None:
    sandbox.script("nasha:customSnapshot/create", "hang")
    with pytest.raises(WaitTimeoutError) as raised:
        snapshots.create_resource(snapshot_args(timeouts={"create": 30}))
    message = str(raised.value)
    assert "timed out after 30 s waiting for NAS-HA task clusterLeclercCustomSnapCreate" in message
    assert "snapshot nightly will exist on partition backups" in message
    assert clock.t == pytest.approx(30)
