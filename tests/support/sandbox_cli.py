"""The sandbox's command line in a subprocess, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

EXPORT_LINES = 12


@contextmanager
def sandbox_cli(*options: str) -> Iterator[dict[str, str]]:
    """`python -m pulumi_backups.sandbox --port 0 --task-seconds 0 OPTIONS`: yields the
    variables of the `export` lines it prints, then stops it with SIGTERM (exit status 0)."""
    command = [sys.executable, "-m", "pulumi_backups.sandbox", "--port", "0"]
    command += ["--task-seconds", "0", *options]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline().strip() for _ in range(EXPORT_LINES)]
            assert all(line.startswith("export ") for line in lines), lines
            yield dict(line.removeprefix("export ").split("=", 1) for line in lines)
        finally:
            process.terminate()
        assert process.wait(timeout=30) == 0
