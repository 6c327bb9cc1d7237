"""Every benchmark, one sandbox, one table: ``python bench/run_all.py`` (``make bench``).

Runs the scripts' ``measure()`` in turn (fastest first) against one in-process sandbox and
prints each row as it is measured, under one heading, then the targets missed, if any. A
script that fails keeps the rows it measured; its failure is a row of its own (MISS, the
error's last line; the traceback goes to standard error) and the next script runs.

Exit status 0 unless ``--strict`` is given and a target was missed (a failed script is one).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import traceback
from collections.abc import Sequence
from types import ModuleType
from typing import TextIO

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


def run(
    sandbox: Sandbox | None = None,
    scripts: Sequence[tuple[str, ModuleType]] = SCRIPTS,
    out: TextIO = sys.stdout,
) -> list[c.Row]:
    """Every row of ``scripts`` (each preceded by a heading row naming it), printed to ``out``
    as measured, against ``sandbox`` (default: one of its own)."""
    with contextlib.ExitStack() as stack:
        if sandbox is None:
            sandbox = Sandbox(SandboxSettings(task_seconds=0)).start()
            stack.callback(sandbox.stop)
        rows = stack.enter_context(c.streaming(out))
        for title, script in scripts:
            c.Row(f"== {title}", "", note=f"bench/{script.__name__}.py")
            started = time.perf_counter()
            try:
                script.measure(sandbox)
            except Exception as err:  # its rows so far are printed; the others still run
                traceback.print_exc()
                seconds = time.perf_counter() - started
                c.Row(f"{title}: failed", f"after {seconds:.0f} s", "runs", "MISS", last_line(err))
    return list(rows)


def last_line(err: BaseException) -> str:
    """``Type: <the last line of the message>``, as a traceback ends, at most 300 characters."""
    lines = str(err).strip().splitlines()
    text = f"{type(err).__name__}: {lines[-1] if lines else ''}".rstrip(": ")
    return text if len(text) <= 300 else text[:297] + "..."


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    strict = parser.parse_args(argv).strict
    started = time.perf_counter()
    rows = run(out=out)
    missed = [r for r in rows if r.verdict == "MISS"]
    took = time.perf_counter() - started
    out.write(f"\n{len(rows)} rows in {took:.0f} s; targets missed: {len(missed)}\n")
    for row in missed:
        out.write(f"  MISS {row.figure}: {row.measured} (target {row.target})\n")
    out.flush()
    return 1 if strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
