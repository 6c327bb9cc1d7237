"""Ready-made scenarios from the sandbox's command line, tried with the `pulumi-backups` tool."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from support.sandbox_cli import sandbox_cli

from pulumi_backups.sandbox import Sandbox, SandboxSettings
from pulumi_backups.sandbox.scenarios import DELETED_DATABASE, LIVE_DATABASE, SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "sandbox.cluster000.hosting.ovh.net"
TOOL = Path(sys.executable).parent / "pulumi-backups"  # the installed console script


def orphan_dumps(
    env: dict[str, str], database: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """`pulumi-backups orphan-dumps` with the sandbox's export lines and nothing else of OVH."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OVH_", "SCW_", "VPS_"))}
    command = [str(TOOL), "orphan-dumps", "--service", SERVICE, "--database", database, *options]
    return subprocess.run(
        command, env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_deleted_database_scenario_leaves_dumps_that_orphan_dumps_lists_and_downloads(
    tmp_path: Path,
) -> None:
    with sandbox_cli("--scenario", "deleted-database", "--scenario", "live-database") as env:
        listed = orphan_dumps(env, DELETED_DATABASE, "--download", str(tmp_path))
        live = orphan_dumps(env, LIVE_DATABASE)
    assert listed.returncode == 0, listed.stderr
    header, *rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert header == ["id", "creation_date", "deletion_date", "status"]
    assert len(rows) == 2 and all(row[3] == "created" for row in rows)
    created = [datetime.fromisoformat(row[1]) for row in rows]
    assert created[0] - created[1] == timedelta(days=1)  # newest first, one a day
    # kept 30 days after the deletion, the day after the newest dump
    deleted = [datetime.fromisoformat(row[2]) for row in rows]
    assert deleted == [created[0] + timedelta(days=31)] * 2
    saved = tmp_path / f"{rows[0][0]}.sql.gz"
    assert f"saved dump {rows[0][0]} to {saved}" in listed.stderr
    assert (
        gzip.decompress(saved.read_bytes())
        .decode()
        .startswith(f"-- Dump {rows[0][0]} of {DELETED_DATABASE}")
    )
    # a database that still exists left no orphan
    assert live.returncode == 0 and live.stdout == ""
    assert f"no dump left by {LIVE_DATABASE}" in live.stderr


def test_scenarios_are_played_with_the_store_and_again_on_reset() -> None:
    with Sandbox(SandboxSettings(task_seconds=0, scenarios=("live-database",))) as sandbox:

        def databases() -> list[str]:
            return [doc["name"] for doc in sandbox.objects()["ovh:hosting:database"].values()]

        assert databases() == [LIVE_DATABASE]
        dumps = sandbox.objects()["ovh:hosting:dump"].values()
        assert [(d["databaseName"], d["orphan"]) for d in dumps] == [(LIVE_DATABASE, False)]
        sandbox.reset()
        assert databases() == [LIVE_DATABASE]


def test_help_names_every_scenario_with_its_meaning() -> None:
    command = [sys.executable, "-m", "pulumi_backups.sandbox", "--help"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    text = " ".join(done.stdout.split())
    described = text.split(" --scenario NAME ", 1)[1]
    assert "(default: none)" in described
    for name, scenario in SCENARIOS.items():
        assert f"{name}: {scenario.summary}" in described


def test_an_unknown_scenario_is_a_usage_error() -> None:
    name = "nothing-like-this"
    command = [sys.executable, "-m", "pulumi_backups.sandbox", "--scenario", name]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert f"invalid choice: '{name}'" in done.stderr and "deleted-database" in done.stderr


def test_make_sandbox_takes_scenarios() -> None:
    command = ["make", "-n", "-C", str(ROOT), "sandbox", "ARGS=--scenario deleted-database"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert "-m pulumi_backups.sandbox --state .state/sandbox.db --scenario deleted-database" in (
        done.stdout
    )
