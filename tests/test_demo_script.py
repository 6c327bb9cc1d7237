"""`make demo` (scripts/demo.sh) without the Pulumi CLI, and with a stand-in that records calls.

The stand-in `pulumi` logs each invocation (arguments, cwd, a few variables) as a JSON line,
writes the stack's settings file on `stack init` as the CLI does, and on `up` checks that the
sandbox answers at the URL the demo configured. Every run must leave no sandbox process, no
temporary folder and no settings file behind.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scripts" / "demo.sh"
INSTALL_COMMAND = "curl -fsSL https://get.pulumi.com | sh"
SYSTEM_PATH = os.pathsep.join(
    d for d in ("/usr/local/bin", "/usr/bin", "/bin") if shutil.which("pulumi", path=d) is None
)

SHIM = textwrap.dedent(
    """\
    #!{python}
    import json, os, pathlib, sys, urllib.request
    args = sys.argv[1:]
    log = pathlib.Path(os.environ["SHIM_LOG"])
    entry = {{"args": args, "cwd": os.getcwd(),
             "pulumi_home": os.environ.get("PULUMI_HOME", ""),
             "passphrase": bool(os.environ.get("PULUMI_CONFIG_PASSPHRASE"))}}
    if args[:2] == ["stack", "init"]:
        pathlib.Path(f"Pulumi.{{args[2]}}.yaml").write_text("encryptionsalt: x\\n")
    if args[:1] == ["up"]:
        calls = [json.loads(line)["args"] for line in log.read_text().splitlines()]
        url = next(c[-1] for c in calls if "vps:apiUrl" in c)
        with urllib.request.urlopen(url + "/_sandbox/config", timeout=10) as answer:
            entry["sandbox_status"] = answer.status
    with log.open("a") as out:
        out.write(json.dumps(entry) + "\\n")
    if args[:1] == [os.environ.get("SHIM_FAIL_ON", "")]:
        sys.exit(3)
    """
)


def _run_demo(
    tmp_path: Path, path: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the demo with `path` as PATH; returns the process and its TMPDIR (to inspect)."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    environment = {
        # the interpreter running the suite, whichever virtual environment it is (the
        # script's default, .venv, need not exist)
        "VENV": sys.prefix,
        "PATH": path,
        "HOME": str(tmp_path / "home"),
        "TMPDIR": str(tmpdir),
        "DEMO_STACK": f"test-{uuid.uuid4().hex[:8]}",
        **env,
    }
    process = subprocess.run(
        ["bash", str(DEMO)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return process, tmpdir


def _sandbox(process: subprocess.CompletedProcess[str]) -> tuple[str, int]:
    """The URL and pid the demo reported for its sandbox."""
    line = next(x for x in process.stdout.splitlines() if x.startswith("sandbox serving at"))
    url, pid = line.removeprefix("sandbox serving at ").split(" (pid ")
    return url, int(pid.rstrip(")"))


def _assert_cleaned_up(process: subprocess.CompletedProcess[str], tmpdir: Path, stack: str) -> None:
    url, pid = _sandbox(process)
    assert f"sandbox stopped (pid {pid})" in process.stdout
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    assert list(tmpdir.iterdir()) == []  # the temporary folder (state, backend) is gone
    assert not (ROOT / f"Pulumi.{stack}.yaml").exists()


def _shim(tmp_path: Path) -> tuple[str, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "pulumi"
    shim.write_text(SHIM.format(python=sys.executable))
    shim.chmod(0o755)
    return os.pathsep.join([str(bin_dir), SYSTEM_PATH]), tmp_path / "calls.jsonl"


def _calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_without_pulumi_it_runs_the_quickstart_through_the_driver(tmp_path: Path) -> None:
    assert shutil.which("pulumi", path=SYSTEM_PATH) is None
    started = time.monotonic()
    process, tmpdir = _run_demo(tmp_path, SYSTEM_PATH)
    elapsed = time.monotonic() - started

    assert process.returncode == 0, process.stdout + process.stderr
    out = process.stdout
    assert "the quickstart runs through the test driver instead" in out
    assert "It is not the Pulumi engine" in out
    sections = out.split("\n==> ")
    titles = [(section.splitlines() or [""])[0] for section in sections]
    steps = [
        "the Pulumi CLI is missing: the quickstart runs through the test driver instead",
        "preview (the plan: no call reaches the APIs)",
        "up",
        "up again (the program did not change: nothing to do)",
        "destroy",
        "to run it with the real engine",
    ]
    first = titles.index(steps[0])
    assert titles[first : first + len(steps)] == steps
    plan, up, again, destroy = sections[first + 1 : first + 5]
    created = [line.split()[2] for line in up.splitlines() if line.strip().startswith("+  created")]
    assert len(created) >= 5 and "HostingDatabase" in created and "RdbBackup" in created
    assert all(f" {kind} " in plan for kind in created)  # planned, then done
    assert "dump_url  " in up and "[secret]" in up  # outputs shown, secrets hidden
    assert f"{len(created)} unchanged" in again and "created" not in again
    assert f"{len(created)} deleted" in destroy
    assert INSTALL_COMMAND in out and "make demo' again" in out
    assert elapsed < 60
    _assert_cleaned_up(process, tmpdir, "demo")


def test_with_pulumi_it_runs_the_whole_lifecycle_in_order(tmp_path: Path) -> None:
    path, log = _shim(tmp_path)
    stack = f"test-{uuid.uuid4().hex[:8]}"
    process, tmpdir = _run_demo(tmp_path, path, SHIM_LOG=str(log), DEMO_STACK=stack)

    assert process.returncode == 0, process.stdout + process.stderr
    calls = _calls(log)
    commands = [c["args"] for c in calls]
    url, _ = _sandbox(process)
    login = commands[0]
    assert login[0] == "login" and login[1].startswith(f"file://{tmpdir}/")
    assert commands[1] == [
        "stack",
        "init",
        stack,
        "--secrets-provider",
        "passphrase",
        "--non-interactive",
    ]
    config = {c[-2]: (c[-1], "--secret" in c) for c in commands if c[:2] == ["config", "set"]}
    assert config == {
        "ovh:endpoint": (f"{url}/1.0", False),
        "ovh:applicationKey": ("sandbox-ak", False),
        "ovh:applicationSecret": ("sandbox-as", True),
        "ovh:consumerKey": ("sandbox-ck", True),
        "scaleway:apiUrl": (url, False),
        "scaleway:accessKey": ("SCWSANDBOXACCESSKEY0", False),
        "scaleway:secretKey": ("11111111-2222-3333-4444-555555555555", True),
        "scaleway:region": ("fr-par", False),
        "scaleway:projectId": ("00000000-0000-0000-0000-000000000000", False),
        "vps:apiUrl": (url, False),
        "vps:apiToken": ("sandbox-vps-token", True),
    }
    rest = [c[:2] for c in commands[2 + len(config) :]]
    assert rest == [
        ["preview", "--stack"],
        ["up", "--yes"],
        ["stack", "output"],
        ["destroy", "--yes"],
    ]
    assert all(f"--stack {stack}" in " ".join(c) for c in commands[2:])
    assert next(c for c in calls if c["args"][0] == "up")["sandbox_status"] == 200
    assert {c["cwd"] for c in calls} == {str(ROOT)}  # the root Pulumi.yaml: the quickstart
    assert all(c["passphrase"] and c["pulumi_home"].startswith(str(tmpdir)) for c in calls)
    _assert_cleaned_up(process, tmpdir, stack)


def test_a_failing_step_still_stops_the_sandbox_and_removes_the_stack_file(
    tmp_path: Path,
) -> None:
    path, log = _shim(tmp_path)
    stack = f"test-{uuid.uuid4().hex[:8]}"
    process, tmpdir = _run_demo(
        tmp_path, path, SHIM_LOG=str(log), SHIM_FAIL_ON="up", DEMO_STACK=stack
    )

    assert process.returncode == 3
    assert [c["args"][0] for c in _calls(log)][-1] == "up"  # nothing ran after the failure
    _assert_cleaned_up(process, tmpdir, stack)
