"""`.ci/run`: the README's commands, then the suite on the oldest and newest supported Python."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _stub(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def _run_ci(tmp_path: Path, held_by_pyenv: bool) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run a copy of the script with `make` and the interpreters stubbed on PATH: python3.10
    works, python3.13 is a pyenv shim that fails (pyenv has not selected that version); with
    `held_by_pyenv`, `pyenv root` holds a 3.13 that works."""
    repo, bin_dir = tmp_path / "repo", tmp_path / "bin"
    (repo / ".ci").mkdir(parents=True)
    bin_dir.mkdir()
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    (repo / ".venv-3.10").mkdir()  # a stale one from an earlier run is replaced
    calls = tmp_path / "make.log"
    required = tmp_path / "required.log"
    _stub(
        bin_dir / "make",
        f'echo "$@" >> {calls}\necho "${{PULUMI_BACKUPS_REQUIRE_ENGINE:-}}" >> {required}\n',
    )
    _stub(bin_dir / "python3.10", "exit 0\n")
    _stub(bin_dir / "python3.13", 'echo "pyenv: python3.13: command not found" >&2; exit 127\n')
    if held_by_pyenv:
        held = tmp_path / "pyenv" / "versions" / "3.13.0" / "bin"
        held.mkdir(parents=True)
        _stub(held / "python3.13", "exit 0\n")
        _stub(bin_dir / "pyenv", f'[ "$1" = root ] && echo {tmp_path / "pyenv"}\n')
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(repo / ".ci" / "run")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert not (repo / ".venv-3.10").exists()
    return done, calls


def test_ci_tests_the_oldest_and_newest_python_present(tmp_path: Path) -> None:
    done, calls = _run_ci(tmp_path, held_by_pyenv=False)
    bin_dir = tmp_path / "bin"
    assert calls.read_text().splitlines() == [
        "install",
        "check",
        "test",
        f"test VENV=.venv-3.10 PYTHON={bin_dir}/python3.10 PYTEST_ARGS=-m 'not engine'",
    ]
    assert "python3.13: not on this machine, skipped" in done.stdout


def test_ci_finds_a_python_that_pyenv_holds_but_has_not_selected(tmp_path: Path) -> None:
    done, calls = _run_ci(tmp_path, held_by_pyenv=True)
    held = tmp_path / "pyenv" / "versions" / "3.13.0" / "bin" / "python3.13"
    assert (
        calls.read_text().splitlines()[-1]
        == f"test VENV=.venv-3.13 PYTHON={held} PYTEST_ARGS=-m 'not engine'"
    )
    assert "skipped" not in done.stdout


def test_ci_requires_the_engine_tier(tmp_path: Path) -> None:
    """Every `make` of the run sees PULUMI_BACKUPS_REQUIRE_ENGINE: a skipped tier fails."""
    _run_ci(tmp_path, held_by_pyenv=True)
    assert set((tmp_path / "required.log").read_text().split()) == {"1"}
