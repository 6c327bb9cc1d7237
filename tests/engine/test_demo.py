"""`make demo` with the engine `make engine` built: the real CLI runs the quickstart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from engine.pulumi_cli import ROOT


def test_demo_runs_the_quickstart_with_the_built_engine(engine: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "OVH_", "SCW_"))}
    env.update(
        VENV=sys.prefix,
        PATH="/usr/bin:/bin",  # no pulumi, no Go: the engine is the one given
        HOME=str(tmp_path / "home"),
        DEMO_STACK="engine-demo",
        PULUMI_BACKUPS_ENGINE=str(engine),
    )
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    assert f"using the Pulumi CLI built in {engine}" in out
    assert "test driver" not in out
    up = out.split("==> pulumi up")[1].split("==> outputs")[0]
    assert "7 created" in up, up
    destroy = out.split("==> pulumi destroy")[1]
    assert "7 deleted" in destroy, destroy
    assert not (ROOT / "Pulumi.engine-demo.yaml").exists()
