"""Concurrency of the provider plugin: N backups created, then deleted, with N calls in flight
through one ``pulumi-resource-backups`` process (what ``pulumi up --parallel N`` sends).

Every server-side operation takes D seconds (sandbox ``task_seconds``); the backups are NAS-HA
custom snapshots, whose create and delete each wait for a task. Check runs first for every
backup (the engine's Check), then every Create is sent at once and timed until the last one
answers; then every Delete, the same way. Target: each phase within 1.3 x D, where the
dynamic provider host, 4 calls at a time, needs N / 4 x D.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import _common as c
from support.plugin import start_plugin, urn

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import NASHA_SERVICE

RUNS = ((40, 2.0), (200, 10.0))
TARGET = 1.3
TOKEN = "backups:ovh:NashaCustomSnapshot"


def _all_at_once(calls: Sequence[Callable[[], Any]]) -> tuple[float, list[Any]]:
    """Run every call at once; the seconds until the last one answered, and the answers."""
    with ThreadPoolExecutor(max(len(calls), 1)) as pool:
        started = time.perf_counter()
        answers = list(pool.map(lambda call: call(), calls))
        return time.perf_counter() - started, answers


def _run(sandbox: Sandbox, count: int, seconds: float) -> list[c.Row]:
    names = [f"plug-{count}-{i}" for i in range(count)]
    with start_plugin(sandbox) as plugin:
        where = {"serviceName": NASHA_SERVICE, "partitionName": "backups"}
        checked = [plugin.check(urn(TOKEN, n), {}, {**where, "name": n}).inputs for n in names]
        sandbox.configure(task_seconds=seconds)
        try:
            pairs = list(zip(names, checked, strict=True))
            up, created = _all_at_once([partial(plugin.create, urn(TOKEN, n), i) for n, i in pairs])
            done = list(zip(names, created, strict=True))
            destroy, _ = _all_at_once([partial(plugin.delete, urn(TOKEN, n), *r) for n, r in done])
        finally:
            sandbox.configure(task_seconds=0)
        in_flight = plugin.max_in_flight
    rows = []
    for phase, took in (("up", up), ("destroy", destroy)):
        ratio = f" = {took / seconds:.2f} x D" if seconds else ""
        rows.append(
            c.Row(
                f"plugin: {count} x NashaCustomSnapshot {phase} (D={seconds:g} s)",
                f"{took:.1f} s{ratio}",
                f"<= {TARGET} x D",
                c.verdict(took <= TARGET * seconds) if seconds else "",
                f"{in_flight} calls in flight; the dynamic host: {count / c.THREADS * seconds:g} s",
            )
        )
    return rows


def measure(
    sandbox: Sandbox | None = None, runs: Sequence[tuple[int, float]] = RUNS
) -> list[c.Row]:
    """Two rows (up, destroy) per ``(count, seconds)`` run."""
    with c.bench_sandbox(sandbox) as sb:
        return [row for count, seconds in runs for row in _run(sb, count, seconds)]


if __name__ == "__main__":
    c.main(measure)
