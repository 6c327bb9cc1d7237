"""Every benchmark, one sandbox, one table: ``python bench/run_all.py`` (``make bench``).

Runs the scripts' ``measure()`` in turn (fastest first) against one in-process sandbox and
prints all their rows as one table, then the targets missed, if any. Exit status 0 unless
``--strict`` is given and a target was missed.
"""

from __future__ import annotations

import argparse
import time
from types import ModuleType

import _common as c
import http_requests
import lying_answers
import plugin_concurrency
import preview
import refresh
import startup
import throughput
import wait_overhead

from pulumi_backups.sandbox import Sandbox, SandboxSettings

SCRIPTS: tuple[tuple[str, ModuleType], ...] = (
    ("start-up", startup),
    ("preview", preview),
    ("HTTP requests per operation", http_requests),
    ("refresh", refresh),
    ("wait overhead", wait_overhead),
    ("throughput", throughput),
    ("lying answers", lying_answers),
    ("provider plugin", plugin_concurrency),
)


def run() -> list[c.Row]:
    """All rows, each script's preceded by a heading row with its time."""
    rows: list[c.Row] = []
    sandbox = Sandbox(SandboxSettings(task_seconds=0)).start()
    try:
        for title, script in SCRIPTS:
            started = time.perf_counter()
            measured = script.measure(sandbox)
            seconds = time.perf_counter() - started
            rows.append(
                c.Row(f"== {title}", "", note=f"bench/{script.__name__}.py, {seconds:.0f} s")
            )
            rows += measured
    finally:
        sandbox.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    strict = parser.parse_args().strict
    started = time.perf_counter()
    rows = run()
    c.print_table(rows)
    missed = [r for r in rows if r.verdict == "MISS"]
    took = time.perf_counter() - started
    print(f"\n{len(rows)} rows in {took:.0f} s; targets missed: {len(missed)}")
    for row in missed:
        print(f"  MISS {row.figure}: {row.measured} (target {row.target})")
    return 1 if strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
