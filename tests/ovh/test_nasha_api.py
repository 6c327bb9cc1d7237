"""NAS-HA calls against the sandbox: schedule changes in order, tasks followed to the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fakes import FakeClock

from pulumi_backups.core import Clock, NotFoundError, TaskFailedError, WaitPolicy, WaitTimeoutError
from pulumi_backups.core.errors import with_note
from pulumi_backups.core.waiting import Deadline
from pulumi_backups.ovh.client import OvhClient
from pulumi_backups.ovh.nasha.client import NashaPartition
from pulumi_backups.ovh.nasha.policy_operations import Change, PartialChangeError, apply_changes
from pulumi_backups.ovh.nasha.waiters import wait_nasha
from pulumi_backups.sandbox import Sandbox

NAS = "/1.0/dedicated/nasha/{serviceName}"
SNAPSHOT = NAS + "/partition/{partitionName}/snapshot"
TASK = NAS + "/task/{taskId}"


@pytest.fixture
def fake() -> FakeClock:
    return FakeClock(t=1000.0)


@pytest.fixture
def partition(sandbox: Sandbox, fake: FakeClock) -> Iterator[NashaPartition]:
    settings = sandbox.ovh_settings()
    yield NashaPartition(OvhClient(settings, clock=fake.clock()), "zpool-000000", "backups")


def deadline(fake: FakeClock, seconds: float = 60) -> Deadline:
    return Deadline(WaitPolicy(timeout=seconds), fake.clock())


def test_changes_are_applied_in_order_each_task_followed(
    sandbox: Sandbox, partition: NashaPartition, fake: FakeClock
) -> None:
    sandbox.configure(task_seconds=30)

    def sleep(seconds: float) -> None:  # each pause of the wait lets 15 s pass in the sandbox
        fake.sleep(seconds)
        sandbox.advance(15)

    partition.client.clock = Clock(now=lambda: fake.t, sleep=sleep)
    changes = [Change("remove", "day-1"), Change("add", "hour-6"), Change("add", "day-7")]
    sandbox.clear_counters()
    apply_changes(partition, changes, Deadline(WaitPolicy(), partition.clock))
    assert sorted(partition.snapshot_types()) == ["day-7", "hour-6"]
    counts = sandbox.counters()
    assert counts[f"DELETE {SNAPSHOT}/{{snapshotType}}"] == 1
    assert counts[f"POST {SNAPSHOT}"] == 2
    assert counts[f"GET {TASK}"] == 9  # each task polled until done: todo, doing, done


def test_removing_a_frequency_already_gone_is_a_no_op(
    sandbox: Sandbox, partition: NashaPartition, fake: FakeClock
) -> None:
    apply_changes(partition, [Change("remove", "hour-1")], deadline(fake))
    assert partition.snapshot_types() == ["day-1"]


def test_failed_task_names_operation_and_details_and_what_was_done(
    sandbox: Sandbox, partition: NashaPartition, fake: FakeClock
) -> None:
    sandbox.script("nasha:snapshot/create", "fail")
    changes = [Change("add", "hour-1"), Change("add", "hour-6")]
    with pytest.raises(PartialChangeError) as raised:
        apply_changes(partition, [Change("remove", "day-1"), *changes], deadline(fake))
    failure = raised.value
    assert failure.done == [Change("remove", "day-1")]
    assert isinstance(failure.cause, TaskFailedError)
    message = str(failure.cause)
    assert "NAS-HA task clusterLeclercSnapshotUpdate #" in message
    assert "'customerError'" in message and "Add snapshot type hour-1" in message
    assert partition.snapshot_types() == []


def test_never_ending_task_times_out_on_the_operation_deadline(
    sandbox: Sandbox, partition: NashaPartition, fake: FakeClock
) -> None:
    sandbox.script("nasha:snapshot/delete", "hang")
    with pytest.raises(PartialChangeError) as raised:
        apply_changes(partition, [Change("remove", "day-1")], deadline(fake, 45))
    cause = raised.value.cause
    assert isinstance(cause, WaitTimeoutError)
    assert "timed out after 45 s" in str(cause)
    assert "NAS-HA task clusterLeclercSnapshotUpdate #" in str(cause) and "'doing'" in str(cause)
    assert fake.t - 1000.0 == pytest.approx(45)
    assert max(fake.sleeps) <= 10


def test_deadline_is_shared_by_the_tasks_of_one_operation(fake: FakeClock) -> None:
    shared = deadline(fake, 100)
    fake.t += 70
    assert shared.remaining().timeout == pytest.approx(30)
    fake.t += 50
    assert shared.remaining().timeout == 0


def test_custom_snapshot_round_trip(
    sandbox: Sandbox, partition: NashaPartition, fake: FakeClock
) -> None:
    task = partition.create_custom_snapshot("nightly", "2030-01-01")
    wait_nasha(partition, task, WaitPolicy(timeout=10))
    snapshot = partition.custom_snapshot("nightly")
    assert snapshot.name == "nightly" and snapshot.expiration == "2030-01-01T00:00:00+01:00"
    wait_nasha(partition, partition.delete_custom_snapshot("nightly"), WaitPolicy(timeout=10))
    with pytest.raises(NotFoundError):
        partition.custom_snapshot("nightly")


def test_with_note_keeps_class_and_attributes() -> None:
    err = TaskFailedError("NAS-HA task x #1 on s", "ovhError", "disk full")
    noted = with_note(err, "already removed day-1")
    assert type(noted) is TaskFailedError and noted.status == "ovhError"
    assert str(noted).endswith("'ovhError': disk full; already removed day-1")
