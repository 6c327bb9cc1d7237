"""Refresh of N resources: at most N requests, whatever N (no per-resource listing that grows
with N). Shown for N = 10 and N = 100 backups of each kind. VPS backups have no detail route:
the reads of one refresh share one listing of the server's manual backups (pages of 50).

The stack is deployed with instant operations, then refreshed through the engine harness
without its preview (as ``pulumi refresh --skip-preview``, which would read everything a
second time): Read and Diff of every resource, 4 at a time; the sandbox counts each kind's
read route. The stack is then destroyed: every backup deleted (VPS backups: the deletes of one
server share a listing of its backups to prove each is the server's), none failing, none left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import _common as c
from reliability.inventory import held
from support import DeploymentError, Engine

from pulumi_backups.sandbox import Sandbox

SIZES = (10, 100)


@dataclass
class Destroyed:
    """What the destroy did: resources that failed, objects left per kind, requests per route."""

    failed: list[str]
    left: dict[str, int]
    counts: dict[str, int]


def _refresh(
    sandbox: Sandbox, kinds: Sequence[c.Kind], count: int
) -> tuple[dict[str, int], float, Destroyed]:
    """Deploy ``count`` backups of each kind, refresh, destroy; requests per route, seconds,
    and what the destroy did."""
    with c.workdir() as directory:
        needs_db = any(k.needs_database for k in kinds)
        with c.hosting_database(sandbox, directory, needs_db):
            run = c.engine(sandbox, c.backups(kinds, count), directory / "state.json")
            run.up()
            sandbox.clear_counters()
            seconds = c.timed(lambda: run.refresh(skip_preview=True))
            counts = c.counters(sandbox)
            gone = (
                [s.name for s in run.last_result.steps if s.op == "delete"]
                if run.last_result
                else []
            )
            if gone:
                raise RuntimeError(f"refresh dropped {gone}")
            destroyed = _destroy(sandbox, run)
    return counts, seconds, destroyed


def _destroy(sandbox: Sandbox, run: Engine) -> Destroyed:
    sandbox.clear_counters()
    failed: list[str] = []
    try:
        run.destroy()
    except DeploymentError as err:
        failed = sorted(err.errors)
    left = {kind: len(docs) for kind, docs in held(sandbox.objects()).items()}
    return Destroyed(failed, left, c.counters(sandbox))


def measure(
    sandbox: Sandbox | None = None,
    sizes: Sequence[int] = SIZES,
    kinds: Iterable[str] | None = None,
) -> list[c.Row]:
    """One row per (N, kind): requests of its refresh against N."""
    chosen = c.kinds_named(kinds)
    rows = []
    with c.bench_sandbox(sandbox) as sb:
        for count in sizes:
            counts, seconds, destroyed = _refresh(sb, chosen, count)
            for kind in chosen:
                reads = counts.pop(kind.read, 0)
                rows.append(
                    c.Row(
                        f"refresh N={count}, {kind.name}",
                        f"{reads} requests for {count} reads",
                        f"<= {count}",
                        c.verdict(0 < reads <= count),
                        kind.read,
                    )
                )
            others = sum(counts.values()) - counts.get("GET /1.0/auth/time", 0)
            rows.append(
                c.Row(
                    f"refresh N={count}, all {len(chosen) * count}",
                    f"{seconds:.2f} s, {others} other requests",
                    "0 other",
                    c.verdict(others == 0),
                    "GET /1.0/auth/time aside (once per host)",
                )
            )
            rows.extend(_destroy_rows(count, chosen, destroyed))
    return rows


def _destroy_rows(count: int, kinds: Sequence[c.Kind], destroyed: Destroyed) -> list[c.Row]:
    """One row per kind: the destroy of its ``count`` backups, none failed, none left (VPS
    backups: how many listing requests proved the deletes' ownership)."""
    rows = []
    for kind in kinds:
        failed = [name for name in destroyed.failed if name.startswith(kind.name.lower())]
        left = destroyed.left.get(kind.name, 0)
        lists = destroyed.counts.get(kind.read, 0) if kind.name == "VpsBackup" else None
        rows.append(
            c.Row(
                f"destroy N={count}, {kind.name}",
                f"{len(failed)} failed, {left} left"
                + ("" if lists is None else f", {lists} listing requests"),
                "0 failed, 0 left",
                c.verdict(not failed and left == 0),
                "" if lists is None else "the deletes share recent listings",
            )
        )
    return rows


if __name__ == "__main__":
    c.main(measure)
