"""Without a `pulumi` on PATH or Go to build one, the engine tier is skipped with one line
saying why and how; with PULUMI_BACKUPS_REQUIRE_ENGINE set (CI), it fails instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WHY = "engine tier: engine: no pulumi on PATH and no Go to build it"


def _run_tier(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    base.update(PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin", **env)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rs",
            "tests/engine/test_examples.py",
            "-k",
            "gitops_preview",
            "--basetemp",
            str(tmp_path / "t"),
        ],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(Path("/usr/bin/go").exists(), reason="Go is in /usr/bin here")
def test_without_pulumi_or_go_the_tier_is_skipped_saying_why(tmp_path: Path) -> None:
    done = _run_tier(tmp_path)
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout and WHY in done.stdout, done.stdout
    assert "make engine" in done.stdout


@pytest.mark.skipif(Path("/usr/bin/go").exists(), reason="Go is in /usr/bin here")
def test_ci_fails_a_skipped_tier(tmp_path: Path) -> None:
    done = _run_tier(tmp_path, PULUMI_BACKUPS_REQUIRE_ENGINE="1")
    assert done.returncode != 0
    assert WHY in done.stdout, done.stdout
