"""OVHcloud emulator: NAS-HA partitions, snapshot schedules, custom snapshots, NAS tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import ovh
import ovh.client
import pytest
from ovh.exceptions import BadParametersError, ResourceConflictError, ResourceNotFoundError

from pulumi_backups.sandbox import CREDENTIALS, Sandbox

SN = "zpool-000000"
NAS = f"/dedicated/nasha/{SN}"
PART = f"{NAS}/partition/backups"
DAY = 86_400


@pytest.fixture
def client(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The real python-ovh client, pointed at the sandbox through a registered endpoint."""
    monkeypatch.setitem(ovh.client.ENDPOINTS, "sandbox-nasha", f"{sandbox.url}/1.0")
    api = ovh.Client(
        endpoint="sandbox-nasha",
        application_key=CREDENTIALS["OVH_APPLICATION_KEY"],
        application_secret=CREDENTIALS["OVH_APPLICATION_SECRET"],
        consumer_key=CREDENTIALS["OVH_CONSUMER_KEY"],
    )
    yield api
    api._session.close()


def test_service_and_partitions(client: Any) -> None:
    assert client.get("/dedicated/nasha") == [SN]
    assert client.get(NAS)["serviceName"] == SN
    assert client.get(f"{NAS}/partition") == ["backups"]
    assert client.get(PART)["partitionName"] == "backups"
    with pytest.raises(ResourceNotFoundError):
        client.get(f"{NAS}/partition/other")
    with pytest.raises(ResourceNotFoundError):
        client.get("/dedicated/nasha/zpool-999999")


def test_snapshot_type_is_added_when_the_task_is_done(sandbox: Sandbox, client: Any) -> None:
    assert client.get(f"{PART}/snapshot") == ["day-1"]
    assert client.get(f"{PART}/snapshot/day-1") == {"snapshotType": "day-1"}
    sandbox.configure(task_seconds=6)
    task = client.post(f"{PART}/snapshot", snapshotType="hour-1")
    assert task["operation"] == "clusterLeclercSnapshotUpdate"
    assert (task["status"], task["partitionName"], task["doneDate"]) == ("todo", "backups", None)
    assert client.get(f"{PART}/snapshot") == ["day-1"]
    with pytest.raises(ResourceNotFoundError):
        client.get(f"{PART}/snapshot/hour-1")
    with pytest.raises(ResourceConflictError):  # already on its way
        client.post(f"{PART}/snapshot", snapshotType="hour-1")
    sandbox.advance(2)
    assert client.get(f"{NAS}/task/{task['taskId']}")["status"] == "doing"
    sandbox.advance(4)
    done = client.get(f"{NAS}/task/{task['taskId']}")
    assert done["status"] == "done"
    assert datetime.fromisoformat(done["doneDate"]) > datetime.fromisoformat(done["todoDate"])
    assert client.get(f"{PART}/snapshot") == ["day-1", "hour-1"]


def test_snapshot_type_rules(client: Any) -> None:
    with pytest.raises(ResourceConflictError):
        client.post(f"{PART}/snapshot", snapshotType="day-1")
    with pytest.raises(BadParametersError) as caught:
        client.post(f"{PART}/snapshot", snapshotType="minute-5")
    assert "dedicated.storage.SnapshotEnum" in caught.value.response.json()["message"]
    for kind in ("hour-1", "hour-6", "day-7"):
        client.post(f"{PART}/snapshot", snapshotType=kind)
    with pytest.raises(BadParametersError) as caught:
        client.post(f"{PART}/snapshot", snapshotType="day-2")
    assert "more than 4" in caught.value.response.json()["message"]
    assert client.get(f"{PART}/snapshot") == ["day-1", "hour-1", "hour-6", "day-7"]


def test_snapshot_type_deletion(sandbox: Sandbox, client: Any) -> None:
    sandbox.configure(task_seconds=3)
    task = client.delete(f"{PART}/snapshot/day-1")
    assert task["operation"] == "clusterLeclercSnapshotUpdate"
    assert client.get(f"{PART}/snapshot") == ["day-1"]  # until the task is done
    with pytest.raises(ResourceConflictError):
        client.delete(f"{PART}/snapshot/day-1")
    sandbox.advance(3)
    assert client.get(f"{PART}/snapshot") == []
    with pytest.raises(ResourceNotFoundError):
        client.delete(f"{PART}/snapshot/day-1")


def test_failed_and_hanging_snapshot_tasks(sandbox: Sandbox, client: Any) -> None:
    sandbox.script("nasha:snapshot/create", "fail")
    failed = client.post(f"{PART}/snapshot", snapshotType="hour-6")
    assert failed["status"] == "customerError"
    assert client.get(f"{PART}/snapshot") == ["day-1"]
    sandbox.script("nasha:snapshot/delete", "hang")
    hung = client.delete(f"{PART}/snapshot/day-1")
    sandbox.advance(100)
    assert client.get(f"{NAS}/task/{hung['taskId']}")["status"] == "doing"
    assert client.get(f"{PART}/snapshot") == ["day-1"]


def test_custom_snapshot_lifecycle(sandbox: Sandbox, client: Any) -> None:
    task = client.post(f"{PART}/customSnapshot", name="before-upgrade", expiration="2099-06-24")
    assert (task["operation"], task["status"]) == ("clusterLeclercCustomSnapCreate", "done")
    assert client.get(f"{PART}/customSnapshot") == ["before-upgrade"]
    snap = client.get(f"{PART}/customSnapshot/before-upgrade")
    assert snap["name"] == "before-upgrade"
    assert snap["expiration"].startswith("2099-06-24T00:00:00+")
    client.post(f"{PART}/customSnapshot", name="forever")
    assert client.get(f"{PART}/customSnapshot/forever") == {"name": "forever", "expiration": None}
    with pytest.raises(ResourceConflictError):
        client.post(f"{PART}/customSnapshot", name="forever")
    sandbox.configure(task_seconds=3)
    task = client.delete(f"{PART}/customSnapshot/forever")
    assert task["operation"] == "clusterLeclercCustomSnapDelete"
    assert "forever" in client.get(f"{PART}/customSnapshot")
    sandbox.advance(3)
    assert client.get(f"{PART}/customSnapshot") == ["before-upgrade"]


def test_custom_snapshot_validation_and_expiry(sandbox: Sandbox, client: Any) -> None:
    with pytest.raises(BadParametersError):
        client.post(f"{PART}/customSnapshot", name="bad", expiration="next tuesday")
    with pytest.raises(BadParametersError):
        client.post(f"{PART}/customSnapshot", name="old", expiration="2001-01-01T00:00:00Z")
    with pytest.raises(BadParametersError):
        client.post(f"{PART}/customSnapshot", name="no spaces")
    expires = datetime.fromtimestamp(sandbox.advance(0) + 2 * DAY).astimezone().isoformat()
    client.post(f"{PART}/customSnapshot", name="short-lived", expiration=expires)
    sandbox.advance(2 * DAY)
    client._time_delta = None  # the clock jumped past the signature window
    assert client.get(f"{PART}/customSnapshot") == []


def test_failed_custom_snapshot_and_unknown_task(sandbox: Sandbox, client: Any) -> None:
    sandbox.script("nasha:customSnapshot/create", "fail")
    task = client.post(f"{PART}/customSnapshot", name="doomed")
    assert task["status"] == "customerError"
    assert client.get(f"{PART}/customSnapshot") == []
    with pytest.raises(ResourceNotFoundError):
        client.get(f"{NAS}/task/42")
