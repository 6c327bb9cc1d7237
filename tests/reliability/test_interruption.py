"""A provider host killed in the middle of a create, and what the next runs guarantee.

The host is killed (SIGKILL) once the create's request was answered and the provider waits
for the operation, which the sandbox makes last an hour (its clock is then moved on, so the
object ends up complete). The Create fails and nothing is recorded, as with the Pulumi engine
when its provider dies (when the CLI itself dies, the state keeps a pending CREATE instead;
`pulumi up` then warns and creates anew, just the same). The object exists, untracked.

* Every kind: the procedure of docs/interruptions.md - find the object by what the program
  says of it, the pending CREATE given its id (stack export, an edit, stack import), `pulumi
  refresh`, then `pulumi up` - tracks it
  without a second object, and a destroy leaves nothing behind.
* Kinds whose identity the program fixes (a database's user, a snapshot's name): a plain
  `pulumi up` cannot make a second one; it is refused with an error naming the object, and a
  database is then taken over with adopt=True.
* A snapshot schedule converges on the next `up`, and no frequency it found is lost.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from reliability.inventory import differences, footprint, held, settled_objects
from support import (
    DeploymentError,
    Engine,
    PendingOperation,
    ProviderHost,
    ResourceState,
    RunResult,
    sandbox_engine,
    save_checkpoint,
)

from pulumi_backups.sandbox import Sandbox

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "reliability_mixed"
HOUR = 3600.0
NONE = {"databases": 0, "schedules": 0, "snapshots": 0, "vps_backups": 0, "rdb_backups": 0}
OVH_TASK = "GET /1.0/hosting/web/{serviceName}/tasks/{id}"
NAS_TASK = "GET /1.0/dedicated/nasha/{serviceName}/task/{taskId}"
ADD_FREQUENCY = "POST /1.0/dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot"
Finder = Callable[[dict[str, dict[str, Any]]], list[str]]


@dataclass
class Case:
    """One resource kind: the program's config, its resource, the request that shows the
    provider waiting, and how a user finds the object from what the program says of it."""

    target: str
    config: dict[str, int]
    polled: str
    find: Finder
    refused: str | None = None  # what a plain re-run's error says, when it must refuse
    extra: dict[str, Any] = field(default_factory=dict)
    after: str | None = None  # the route whose request starts the slow operation, if not Create


def _where(kind: str, **wanted: Any) -> Finder:
    def find(objects: dict[str, dict[str, Any]]) -> list[str]:
        docs = held(objects)[kind]
        return [i for i, doc in docs.items() if all(doc.get(k) == v for k, v in wanted.items())]

    return find


CASES = {
    "database": Case(
        "db0",
        {"databases": 1, "dumps": 0},
        OVH_TASK,
        _where("HostingDatabase", user="sandboxr0"),
        refused="database sandboxr0.mysql.db of user sandboxr0 already exists",
    ),
    "dump": Case(
        "db0-dump0",
        {"databases": 1, "dumps": 1},
        OVH_TASK,
        _where("HostingDatabaseDump", databaseName="sandboxr0.mysql.db"),
    ),
    "custom snapshot": Case(
        "snapshot0",
        {"snapshots": 1},
        NAS_TASK,
        _where("NashaCustomSnapshot", name="reliability-0"),
        refused="custom snapshot reliability-0 already exists on partition backups",
    ),
    "vps backup": Case(
        "vps0",
        {"vps_backups": 1},
        "GET /api/v1/backups/",
        _where("VpsBackup", description="reliability backup 0"),
        after="POST /api/v1/backups/",  # the create lists the server's backups before it
    ),
    "rdb backup": Case(
        "rdb0",
        {"rdb_backups": 1},
        "GET /rdb/v1/regions/{region}/backups/{backup_id}",
        _where("RdbBackup", name="reliability-0-g1"),
    ),
}


class KillWhilePolling:
    """Engine `on_call` hook plus sandbox request hook: when `target`'s Create is sent (and,
    given `after`, once that request is counted too), the sandbox's operations start lasting
    an hour; when the provider then polls (`route` is counted), its host is killed."""

    def __init__(
        self,
        sandbox: Sandbox,
        monkeypatch: pytest.MonkeyPatch,
        target: str,
        route: str,
        after: str | None = None,
    ) -> None:
        assert sandbox.context is not None  # an in-process sandbox
        self.sandbox, self.target, self.route = sandbox, target, route
        self.after, self.armed = after, False
        self.pid: int | None = None
        self.killed = threading.Event()
        ctx, count = sandbox.context, sandbox.context.count

        def counting(key: str) -> None:
            count(key)
            if self.pid is not None and key == after and not self.armed:
                ctx.configure({"task_seconds": HOUR})  # counted before it is served
                self.armed = True
            if key == route and self.armed and not self.killed.is_set():
                os.kill(self.pid, signal.SIGKILL)
                self.killed.set()

        monkeypatch.setattr(ctx, "count", counting)

    def __call__(self, method: str, name: str, host: ProviderHost) -> None:
        if method == "Create" and name == self.target:
            self.pid = host.pid
            if self.after is None:
                self.sandbox.configure(task_seconds=HOUR)
                self.armed = True


def engine(sandbox: Sandbox, tmp_path: Path, config: dict[str, Any]) -> Engine:
    return sandbox_engine(sandbox, PROGRAM, tmp_path, **{**NONE, **config})


def interrupt(sandbox: Sandbox, run: Engine, kill: KillWhilePolling) -> str:
    """`up` with the host killed during the target's create; the operation then completes.
    Returns what the engine reported for the target."""
    run.on_call = kill
    with pytest.raises(DeploymentError) as caught:
        run.up()
    run.on_call = None
    assert kill.killed.is_set()
    sandbox.advance(HOUR)
    sandbox.configure(task_seconds=0)
    assert kill.target not in [res.name for res in run.state]
    return caught.value.errors[kill.target]


def import_pending_create(run: Engine, name: str, id_: str) -> RunResult:
    """docs/interruptions.md's recovery, on the pending create a killed CLI leaves (the URN,
    type and checked inputs it sent, no id): the pending create moved into the resources with
    the object's id (`stack export`, an edit, `stack import`), then `pulumi refresh` reads it
    by that id with nothing but those inputs."""
    step = run.preview().step(name)
    assert step.op == "create"
    checkpoint = run.checkpoint
    pending = ResourceState(urn=step.urn, type=step.type, id="", inputs=step.outputs, outputs={})
    checkpoint.pending.append(PendingOperation("creating", pending))
    save_checkpoint(run.state_path, checkpoint, run.project, run.stack)
    run.adopt_pending_creates({step.urn: id_})
    result = run.refresh()
    assert result.calls_for(name) == ["Read", "Diff"] and run.pending_creates == []
    return result


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_an_interrupted_create_is_neither_duplicated_nor_lost(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    before = footprint(sandbox)
    run = engine(sandbox, tmp_path, case.config)
    kill = KillWhilePolling(sandbox, monkeypatch, case.target, case.polled, case.after)
    reported = interrupt(sandbox, run, kill)
    assert "Create failed (UNAVAILABLE)" in reported  # the provider died: no id, no message

    (found,) = case.find(settled_objects(sandbox))  # there, complete, once
    untracked = differences(settled_objects(sandbox), run.state)
    assert untracked["lost"] == [] and [d.split()[-1] for d in untracked["duplicates"]] == [found]

    if case.refused is not None:  # a plain re-run cannot make a second one
        with pytest.raises(DeploymentError) as caught:
            run.up()
        assert case.refused in caught.value.errors[case.target]
        assert case.find(settled_objects(sandbox)) == [found]

    import_pending_create(run, case.target, found)
    assert run.resource(case.target).id == found
    result = run.up()
    assert result.op(case.target) == "same" and "Create" not in result.calls_for(case.target)
    assert differences(settled_objects(sandbox), run.state) == {"duplicates": [], "lost": []}

    run.destroy()
    assert run.state == [] and footprint(sandbox) == before


def test_an_interrupted_database_is_taken_over_with_adopt(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES["database"]
    before = footprint(sandbox)
    run = engine(sandbox, tmp_path, case.config)
    interrupt(sandbox, run, KillWhilePolling(sandbox, monkeypatch, "db0", case.polled))
    (found,) = case.find(settled_objects(sandbox))

    run.configure(adopt=True)
    assert run.up().op("db0") == "create"
    assert run.resource("db0").id == found
    assert differences(settled_objects(sandbox), run.state) == {"duplicates": [], "lost": []}
    run.destroy()
    assert footprint(sandbox) == before


@pytest.mark.parametrize("after", [None, ADD_FREQUENCY], ids=["recording", "changing"])
def test_an_interrupted_schedule_converges_and_restores_the_schedule_of_before(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: str | None
) -> None:
    """Killed while its record of the schedule is being written, or once the schedule is
    half-changed: the next `up` takes the record, and a destroy puts back the schedule the
    partition had before the first run, not the one the interrupted run left."""
    run = engine(sandbox, tmp_path, {"schedules": 1})
    kill = KillWhilePolling(sandbox, monkeypatch, "schedule", NAS_TASK, after=after)
    interrupt(sandbox, run, kill)
    (partition,) = settled_objects(sandbox)["ovh:nasha:partition"].values()
    if after is not None:  # the interrupted run had changed the schedule already
        assert sorted(partition["snapshots"]) == ["day-1", "hour-6"]

    result = run.up()
    assert result.outputs["schedule"]["frequencies"] == ["day-1", "hour-6"]
    assert run.resource("schedule").plain_outputs()["initial_frequencies"] == ["day-1"]
    run.destroy()
    (partition,) = settled_objects(sandbox)["ovh:nasha:partition"].values()
    assert partition["snapshots"] == {"day-1": "active"} and partition["custom"] == {}
