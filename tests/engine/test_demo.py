"""`make demo` with the engine `make engine` built: the real CLI runs the quickstart."""

from __future__ import annotations

from pathlib import Path

from test_demo_script import _assert_cleaned_up, _run_demo


def test_demo_runs_the_quickstart_with_the_built_engine(engine: Path, tmp_path: Path) -> None:
    # No pulumi and no Go on PATH: the engine is the one given.
    done, tmpdir = _run_demo(
        tmp_path, "/usr/bin:/bin", PULUMI_BACKUPS_ENGINE=str(engine), DEMO_STACK="engine-demo"
    )
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    assert f"using the Pulumi CLI built in {engine}" in out
    assert "test driver" not in out
    up = out.split("==> pulumi up")[1].split("==> outputs")[0]
    assert "7 created" in up, up
    destroy = out.split("==> pulumi destroy")[1]
    assert "7 deleted" in destroy, destroy
    _assert_cleaned_up(done, tmpdir, "engine-demo")
