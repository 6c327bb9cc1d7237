"""`.ci/run`: the README's commands, then the suite on the oldest and newest supported Python."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _stub(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def test_ci_tests_the_oldest_and_newest_python_present(tmp_path: Path) -> None:
    """Run a copy of the script with `make` and the interpreters stubbed on PATH: python3.10
    works, python3.13 is a pyenv shim whose version is missing (it fails), as on machines that
    lack one."""
    repo, bin_dir = tmp_path / "repo", tmp_path / "bin"
    (repo / ".ci").mkdir(parents=True)
    bin_dir.mkdir()
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    (repo / ".venv-3.10").mkdir()  # a stale one from an earlier run is replaced
    calls = tmp_path / "make.log"
    _stub(bin_dir / "make", f'echo "$@" >> {calls}\n')
    _stub(bin_dir / "python3.10", "exit 0\n")
    _stub(bin_dir / "python3.13", 'echo "pyenv: python3.13: command not found" >&2; exit 127\n')
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(repo / ".ci" / "run")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert calls.read_text().splitlines() == [
        "install",
        "check",
        "test",
        f"test VENV=.venv-3.10 PYTHON={bin_dir}/python3.10",
    ]
    assert "python3.13: not on this machine, skipped" in done.stdout
    assert not (repo / ".venv-3.10").exists()
