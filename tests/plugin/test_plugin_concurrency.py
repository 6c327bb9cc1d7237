"""One plugin process runs as many operations at once as the engine sends: no 4-at-a-time
ceiling (the dynamic provider host's pool)."""

from __future__ import annotations

import sys
from pathlib import Path

from pulumi_backups.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import plugin_concurrency


def test_twelve_creates_and_deletes_of_one_second_take_about_one_second(sandbox: Sandbox) -> None:
    up, destroy = plugin_concurrency.measure(sandbox, runs=((12, 1.0),))
    for row in (up, destroy):
        took = float(row.measured.split(" s")[0])
        assert took < 2.5, row  # 4 at a time, the dynamic host needs 3 s
        assert "12 calls in flight" in row.note
