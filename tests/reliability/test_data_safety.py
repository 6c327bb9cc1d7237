"""Data safety: nothing that holds data is deleted unless the program says so.

Through the real provider host against the sandbox (tests/programs/safety_all), with the
sandbox's per-route request counters as the witness:
- a database under deletion protection survives a destroy and its removal from the program,
  and a change that would replace it is refused at check, in the preview already;
- a NAS-HA schedule change removes only the frequencies the program dropped, and a destroy
  restores the initial schedule without touching frequencies the stack never managed;
- a backup (dump, custom snapshot, VPS backup, RDB backup) is deleted on destroy, on its
  removal from the program or on its replacement, never on refresh nor on an unchanged `up`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import DeploymentError, Engine, sandbox_engine
from support.fakes import calls, mutations
from support.ovh import operator_client

from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.nasha.client import NashaPartition
from pulumi_backups.ovh.nasha.waiters import wait_nasha
from pulumi_backups.sandbox import Sandbox

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "safety_all"
SN = "sandbox.cluster000.hosting.ovh.net"
WEB = "/1.0/hosting/web/{serviceName}"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
DELETE_DB = f"DELETE {WEB}/database/{{name}}"
DELETE_DUMP = f"DELETE {WEB}/database/{{name}}/dump/{{id}}"
DELETE_SNAPSHOT = f"DELETE {PART}/customSnapshot/{{name}}"
REMOVE_FREQUENCY = f"DELETE {PART}/snapshot/{{snapshotType}}"
ADD_FREQUENCY = f"POST {PART}/snapshot"
RECORD_SCHEDULE = f"POST {PART}/customSnapshot"
DELETE_VPS_BACKUP = "DELETE /api/v1/backups/{backup_id}/"
DELETE_RDB_BACKUP = "DELETE /rdb/v1/regions/{region}/backups/{backup_id}"
ALL_BACKUPS = ["dump", "snapshot", "vps", "rdb"]
FAST = WaitPolicy(timeout=5)


def engine(sandbox: Sandbox, tmp_path: Path, **config: Any) -> Engine:
    return sandbox_engine(sandbox, PROGRAM, tmp_path, **config)


def deletes(sandbox: Sandbox) -> dict[str, int]:
    return calls(sandbox, "DELETE")


def databases(sandbox: Sandbox) -> dict[str, str]:
    """Name -> engine of the hosting's databases, as the API shows them now."""
    with operator_client(sandbox) as client:
        api = HostingApi(client, SN)
        found = {name: api.database(name).type or "" for name in api.database_names()}
    sandbox.clear_counters()
    return found


def partition(sandbox: Sandbox) -> NashaPartition:
    """The partition as an operator acting out of band sees it."""
    with operator_client(sandbox) as client:
        return NashaPartition(client, "zpool-000000", "backups")


def schedule(sandbox: Sandbox) -> list[str]:
    found = sorted(partition(sandbox).snapshot_types())
    sandbox.clear_counters()
    return found


def add_out_of_band(sandbox: Sandbox, frequency: str) -> None:
    nas = partition(sandbox)
    wait_nasha(nas, nas.add_snapshot_type(frequency), FAST)
    sandbox.clear_counters()


# -- deletion protection ------------------------------------------------------------------------


def test_a_protected_database_is_neither_replaced_nor_deleted(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path)  # deletion_protection left to its default: on
    run.up()
    assert databases(sandbox) == {"sandboxsafe.mysql.db": "mysql"}

    for change in ({"type": "mariadb"}, {"user": "sandboxnew", "deletion_protection": False}):
        run.configure(**change)
        plan = run.preview()
        assert sandbox.counters() == {}  # refused by check: no request at all
        ((prop, reason),) = plan.step("db").failures
        assert prop == next(iter(change)) and "deletion_protection is on" in reason
        with pytest.raises(DeploymentError, match="set deletion_protection to false"):
            run.up()
        assert mutations(sandbox) == {}
        run.configure(**{key: None for key in change})

    with pytest.raises(DeploymentError) as destroyed:
        run.destroy()
    assert "deletion_protection is on" in destroyed.value.errors["db"]
    run.configure(database=False)  # dropped from the program
    with pytest.raises(DeploymentError) as dropped:
        run.up()
    assert "deletion_protection is on" in dropped.value.errors["db"]
    assert mutations(sandbox) == {}
    assert databases(sandbox) == {"sandboxsafe.mysql.db": "mysql"}
    assert [r.name for r in run.state] == ["db"]

    run.configure(database=None, deletion_protection=False)  # what it takes to delete it
    assert run.up().op("db") == "update" and mutations(sandbox) == {}
    run.destroy()
    assert deletes(sandbox) == {DELETE_DB: 1} and databases(sandbox) == {}


# -- NAS-HA snapshot schedule -------------------------------------------------------------------


def deploy_then_drop_one(sandbox: Sandbox, tmp_path: Path) -> Engine:
    """[day-1, hour-6, day-7] deployed, day-2 added out of band, then day-7 dropped."""
    run = engine(sandbox, tmp_path, database=False, frequencies=["day-1", "hour-6", "day-7"])
    run.up()
    assert mutations(sandbox) == {ADD_FREQUENCY: 2, RECORD_SCHEDULE: 1}
    add_out_of_band(sandbox, "day-2")
    run.configure(frequencies=["day-1", "hour-6"])
    assert run.up().op("schedule") == "update"
    assert mutations(sandbox) == {REMOVE_FREQUENCY: 1}
    assert schedule(sandbox) == ["day-1", "day-2", "hour-6"]  # day-7 only went
    return run


def test_a_schedule_change_removes_only_what_the_program_dropped(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = deploy_then_drop_one(sandbox, tmp_path)
    run.refresh()  # a refresh reads, never removes
    assert deletes(sandbox) == {} and schedule(sandbox) == ["day-1", "day-2", "hour-6"]


def test_an_unchanged_program_removes_no_frequency(sandbox: Sandbox, tmp_path: Path) -> None:
    run = deploy_then_drop_one(sandbox, tmp_path)
    run.up()  # the same program again
    assert deletes(sandbox) == {}
    assert schedule(sandbox) == ["day-1", "day-2", "hour-6"]


def test_destroy_restores_the_initial_schedule_and_leaves_the_rest(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path, database=False, frequencies=["day-1", "hour-6"])
    run.up()
    add_out_of_band(sandbox, "day-3")
    run.destroy()
    # hour-6, which the stack added, then the record of the schedule of before
    assert deletes(sandbox) == {REMOVE_FREQUENCY: 1, DELETE_SNAPSHOT: 1}
    assert (
        schedule(sandbox) == ["day-1", "day-3"] and partition(sandbox).custom_snapshot_names() == []
    )


# -- backups ------------------------------------------------------------------------------------


def test_backups_are_deleted_only_when_the_program_says_so(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path, deletion_protection=False, backups=ALL_BACKUPS, triggers=[1])
    result = run.up()
    assert set(result.ops.values()) == {"create"} and len(result.ops) == 5
    ids = {res.name: res.id for res in run.state}
    mutations(sandbox)

    assert set(run.up().ops.values()) == {"same"}
    assert set(run.refresh().ops.values()) == {"same"}
    assert deletes(sandbox) == {} and {res.name: res.id for res in run.state} == ids
    assert set(run.preview().ops.values()) == {"same"} and sandbox.counters() == {}

    run.configure(triggers=[2])  # a new dump and a new VPS backup, the old ones go
    assert sorted(run.up().names("replace")) == ["dump", "vpsbackup"]
    assert deletes(sandbox) == {DELETE_DUMP: 1, DELETE_VPS_BACKUP: 1}

    run.configure(snapshot_name="safety-2", rdb_database="app_restore")
    assert sorted(run.up().names("replace")) == ["rdbbackup", "snapshot"]
    assert deletes(sandbox) == {DELETE_SNAPSHOT: 1, DELETE_RDB_BACKUP: 1}

    run.configure(backups=["dump", "snapshot", "rdb"])  # the VPS backup leaves the program
    assert run.up().names("delete") == ["vpsbackup"]
    assert deletes(sandbox) == {DELETE_VPS_BACKUP: 1}

    run.destroy()
    assert deletes(sandbox) == {
        DELETE_DUMP: 1,
        DELETE_SNAPSHOT: 1,
        DELETE_RDB_BACKUP: 1,
        DELETE_DB: 1,
    }
    assert run.state == []
