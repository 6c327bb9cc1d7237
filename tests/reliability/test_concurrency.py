"""One provider host, 4 threads, over 100 operations on every resource kind under faults:
no result crosses over to another resource's object.

The engine deploys the 30-resource program. Then one `python -m pulumi.dynamic` host is
driven by 4 threads at once, as the engine drives it (the host keeps one provider instance
per class, keyed by the pickled `__provider`, so the threads share them), while the sandbox
answers 20 % of requests 503 and 20 % 429 after 50 ms. First, shuffled: a Read of every
resource, in-place Updates (passwords, RDB names, the schedule), a copy Created of every
dump, custom snapshot, VPS backup and RDB backup (each copy named or described as its
own), every restore run again. Then, shuffled: a Read of every resource again while every
copy is Deleted. Every answer must describe the very object its request was about (ids
distinct, a dump of its own database, a backup with its own description or name); every
call that fails must say so with its resource, call and server message. The engine then
refreshes (the state matches the sandbox) and destroys: nothing is left.
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from reliability.inventory import differences, footprint, held, kind_of, mismatches
from reliability.inventory import settled_objects as objects_of
from reliability.runs import Tally, assert_reported, converge
from support import Engine, HostError, ProviderHost, ResourceState, reveal, secret

from pulumi_backups.sandbox import Sandbox

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "reliability_mixed"
FAULTS = {"error_rate": 0.2, "ratelimit_rate": 0.2, "latency_ms": 50}
THREADS = 4
COPIED: dict[str, tuple[str, str] | None] = {  # kind -> how a copy differs: (input, suffix)
    "HostingDatabaseDump": None,
    "NashaCustomSnapshot": ("name", "-copy"),
    "VpsBackup": ("description", " copy"),
    "RdbBackup": ("name", "-copy"),
}
RESTORES = ("HostingDatabaseRestore", "VpsRestore", "RdbBackupRestore")


@dataclass
class Op:
    """One provider call on `res` (`news`: inputs of an Update or a Create)."""

    method: str
    res: ResourceState
    news: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def kind(self) -> str:
        return kind_of(self.res)


class Driver:
    """Runs operations on one host from `THREADS` threads; counts the calls in flight."""

    def __init__(self, host: ProviderHost) -> None:
        self.host = host
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()

    def run(self, ops: list[Op]) -> None:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(self._one, ops))

    def _one(self, op: Op) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            self._call(op)
        except HostError as err:
            op.error = str(err)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _call(self, op: Op) -> None:
        host, res = self.host, op.res
        if op.method == "Read":
            read = host.read(res.urn, res.id, res.outputs, res.inputs)
            op.id, op.outputs = read.id, reveal(read.outputs)
        elif op.method == "Update":
            checked = host.check(res.urn, res.inputs, op.news).inputs
            outputs = host.update(res.urn, res.id, res.outputs, checked, old_inputs=res.inputs)
            op.id, op.outputs = res.id, reveal(outputs)
        elif op.method == "Create":
            checked = host.check(res.urn, {}, op.news).inputs
            op.id, outputs = host.create(res.urn, checked)
            op.outputs = reveal(outputs)
        else:
            host.delete(res.urn, op.id, op.outputs, old_inputs=op.news)


def first_wave(state: list[ResourceState]) -> list[Op]:
    """Reads, in-place updates, copies, restores again."""
    ops = [Op("Read", res) for res in state]
    for res in state:
        kind, inputs = kind_of(res), dict(res.inputs)
        if kind == "HostingDatabase":
            ops.append(Op("Update", res, {**inputs, "password": secret(f"Upd4ted{res.name}")}))
        elif kind == "NashaSnapshotPolicy":
            ops.append(Op("Update", res, {**inputs, "frequencies": ["day-1", "day-7", "hour-6"]}))
        elif kind == "RdbBackup" and res.name in ("rdb0", "rdb1", "rdb2"):
            ops.append(Op("Update", res, {**inputs, "name": f"renamed-{res.name}"}))
        if kind in COPIED:
            apart = COPIED[kind]
            if apart is not None:
                inputs[apart[0]] = f"{reveal(inputs[apart[0]])}{apart[1]}"
            ops.append(Op("Create", res, inputs))
        if kind in RESTORES:
            ops.append(Op("Create", res, inputs))
    return ops


def second_wave(state: list[ResourceState], first: list[Op]) -> list[Op]:
    """Reads again, and the deletion of every copy made."""
    copies = [op for op in first if op.method == "Create" and op.kind in COPIED and op.id]
    deletes = [Op("Delete", op.res, op.news, op.id, op.outputs) for op in copies]
    return [*(Op("Read", res) for res in state), *deletes]


def changed(op: Op) -> list[tuple[str, Any]]:
    """The inputs this operation sets apart from its resource's (a copy's name, an update)."""
    old = reveal(op.res.inputs)
    return [(k, v) for k, v in reveal(op.news).items() if old.get(k) != v]


def wrong_answers(ops: list[Op], objects: dict[str, Any], state_ids: set[str]) -> list[str]:
    """Answers that describe another object than their own (see the module docstring)."""
    have = held(objects)
    wrong: list[str] = []
    for op in (op for op in ops if not op.error and op.method != "Delete"):
        expected = op.res.id if op.method in ("Read", "Update") else None
        if expected is not None and op.id != expected:
            wrong.append(f"{op.method} {op.res.name}: answered for {op.id}")
        doc = have.get(op.kind, {}).get(op.id)
        if op.kind in have and doc is None:
            wrong.append(f"{op.method} {op.res.name}: {op.id} is no object of the sandbox")
        elif doc is not None:
            mismatch = mismatches(op.kind, op.outputs, doc, mutable=op.method != "Read")
            got = op.outputs.get
            mismatch += [(k, v, got(k)) for k, v in changed(op) if got(k) != v]
            wrong += [f"{op.method} {op.res.name} {op.id}: {mismatch}"] if mismatch else []
        if op.method == "Create" and op.id in state_ids:
            wrong.append(f"Create {op.res.name}: answered an existing resource's id {op.id}")
    created = [op.id for op in ops if op.method == "Create" and op.id]
    duplicated = {i for i in created if created.count(i) > 1}
    return wrong + [f"two creates answered {i}" for i in sorted(duplicated)]


def failures(ops: list[Op]) -> list[str]:
    """The failed calls, each checked to name its resource, call and server message."""
    return [assert_reported(op.res.name, op.error).group(0) for op in ops if op.error]


@pytest.mark.slow
def test_one_host_many_threads_no_crossed_results(sandbox: Sandbox, tmp_path: Path) -> None:
    before = footprint(sandbox)
    run = Engine(PROGRAM, tmp_path / "state.json", sandbox.stack_config())
    created = run.up()
    state = run.state
    assert len(state) == 30 and created.max_in_flight == THREADS

    rng = random.Random(7)
    first = first_wave(state)
    rng.shuffle(first)
    sandbox.configure(**FAULTS)
    with ProviderHost() as host:
        host.configure(sandbox.stack_config())
        driver = Driver(host)
        driver.run(first)
        ids = {res.id for res in state}
        assert wrong_answers(first, objects_of(sandbox), ids) == []
        second = second_wave(state, first)
        rng.shuffle(second)
        driver.run(second)
        assert wrong_answers(second, objects_of(sandbox), ids) == []
        retry = [op for op in second if op.method == "Delete" and op.error]
        for _ in range(3):  # as an operator would run a failed destroy again
            for op in retry:
                op.error = ""
            driver.run(retry)
            retry = [op for op in retry if op.error]
    sandbox.configure(error_rate=0, ratelimit_rate=0, latency_ms=0)
    operations = len(first) + len(second)
    assert operations >= 100 and driver.most_in_flight == THREADS
    assert retry == []

    converge("refresh", run.refresh, Tally(), 2)
    failed = failures([*first, *second])
    left = differences(objects_of(sandbox), run.state)
    assert left == {"duplicates": [], "lost": []}, failed
    run.destroy()
    assert footprint(sandbox) == before
    print(
        f"\nconcurrency: {operations} operations on one host, {THREADS} at a time; "
        f"failures reported: {failed}; crossed results: 0"
    )
