"""Throughput: 40 backups of each kind created, then destroyed, through the real provider host.

Every server-side operation takes D = 2 s (sandbox ``task_seconds``). ``up`` runs the program
through the engine harness without its preview (as ``pulumi up --skip-preview``: the update
alone is timed; Check then Create per backup, at most 4 calls in flight: the host's gRPC
pool); the destroy deletes 4 at a time through one host, as the engine's destroy does with
independent resources. The floor is what the server alone takes with 4 calls in
flight: 40 / 4 x D to create, the same again to delete where deleting is a server-side
operation (the VPS panel deletes at once). Target: wall time <= 1.15 x floor.

Beyond 4 threads: the same 40 VPS backups are created with 8 calls in flight, once into one
host (its pool still runs 4: the other calls queue) and once spread over two hosts (what
separate stacks, or separate provider instances, would give).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import _common as c

from pulumi_backups.sandbox import Sandbox

COUNT = 40
TASK_SECONDS = 2.0
TARGET = 1.15


def _cycle(sandbox: Sandbox, kind: c.Kind, count: int, seconds: float) -> c.Row:
    """Create ``count`` backups with ``up``, destroy them 4 at a time; the row for it."""
    with c.workdir() as directory, c.hosting_database(sandbox, directory, kind.needs_database):
        run = c.engine(sandbox, c.backups([kind], count), directory / "state.json")
        sandbox.configure(task_seconds=seconds)
        sandbox.clear_counters()
        result = None

        def up() -> None:
            nonlocal result
            result = run.up(skip_preview=True)

        created = c.timed(up)
        deleted = c.timed(run.destroy)
        requests = sum(c.counters(sandbox).values())
        sandbox.configure(task_seconds=0)
    per_op = seconds * (2 if kind.delete_waits else 1)
    floor = count / c.THREADS * per_op
    total = created + deleted
    shown = f" = {total / floor:.3f} x floor {floor:g} s" if floor else ""
    in_flight = result.max_in_flight if result is not None else 0
    return c.Row(
        f"{count} x {kind.name}: up + destroy (D={seconds:g} s)",
        f"{total:.1f} s (up {created:.1f} + destroy {deleted:.1f}){shown}",
        f"<= {TARGET} x floor",
        c.verdict(total <= TARGET * floor + 1e-9) if floor else "",
        f"{requests} requests; {in_flight} calls in flight at most",
    )


def _spread(sandbox: Sandbox, count: int, seconds: float, hosts: int) -> float:
    """Create ``count`` VPS backups with 8 calls in flight over ``hosts`` hosts; seconds."""
    kind = c.kinds_named(["VpsBackup"])[0]
    goals = c.goals(sandbox, c.backups([kind], count, tag=f"{hosts}h-"))
    providers = [c.Host(sandbox) for _ in range(hosts)]
    created: list[c.ResourceState] = []
    try:
        sandbox.configure(task_seconds=seconds)
        started = time.perf_counter()
        with ThreadPoolExecutor(2 * c.THREADS) as pool:
            jobs = [pool.submit(providers[i % hosts].create, g) for i, g in enumerate(goals)]
            created = [job.result() for job in jobs]
        took = time.perf_counter() - started
        sandbox.configure(task_seconds=0)
        with ThreadPoolExecutor(c.THREADS) as pool:
            list(pool.map(providers[0].delete, created))
    finally:
        for provider in providers:
            provider.close()
    return took


def _beyond(sandbox: Sandbox, count: int, seconds: float) -> list[c.Row]:
    rows = []
    for hosts in (1, 2):
        took = _spread(sandbox, count, seconds, hosts)
        floor = count / (c.THREADS * hosts) * seconds
        shown = (
            f" = {took / floor:.3f} x {c.THREADS * hosts}-wide floor {floor:g} s" if floor else ""
        )
        rows.append(
            c.Row(
                f"{count} x VpsBackup create, 8 calls in flight, {hosts} host(s)",
                f"{took:.1f} s{shown}",
                note=(
                    "the host's pool runs 4 calls; the other 4 queue"
                    if hosts == 1
                    else "4 calls per host: what separate stacks or provider instances give"
                ),
            )
        )
    return rows


def measure(
    sandbox: Sandbox | None = None,
    count: int = COUNT,
    task_seconds: float = TASK_SECONDS,
    kinds: Iterable[str] | None = None,
    beyond: bool = True,
) -> list[c.Row]:
    """One row per kind (up + destroy against the floor), then the 8-in-flight rows."""
    chosen: Sequence[c.Kind] = c.kinds_named(kinds)
    with c.bench_sandbox(sandbox) as sb:
        rows = [_cycle(sb, kind, count, task_seconds) for kind in chosen]
        if beyond:
            rows += _beyond(sb, count, task_seconds)
    return rows


if __name__ == "__main__":
    c.main(measure)
