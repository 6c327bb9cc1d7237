"""The real Pulumi CLI, driven as a user drives it: one project copied to a folder of its own,
a file backend, a passphrase, a `PULUMI_HOME` of its own, nothing from the network.

`make engine` (engine/build.sh) gives the folder that holds `pulumi` and the language hosts;
`Stack` runs the CLI's commands there and reads back what the engine did: the plan of
`preview --json`, the engine events of `--event-log` and the state of `pulumi stack export`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "engine" / "build.sh"
PASSPHRASE = "engine-tier"
# What a user's shell may hold that would steer the program or the CLI elsewhere.
FOREIGN_ENV = ("OVH_", "SCW_", "VPS_", "PULUMI_", "PYTHONPATH")
TIMEOUT = 240.0


def find_engine() -> tuple[Path | None, str]:
    """The folder holding `pulumi` and the language hosts (built when missing), or None and
    why not. PULUMI_BACKUPS_ENGINE names it when `make test` has found it already."""
    given = os.environ.get("PULUMI_BACKUPS_ENGINE", "")
    if given and (Path(given) / "pulumi").exists():
        return Path(given), ""
    env = dict(os.environ)
    try:
        run = subprocess.run(
            ["bash", str(BUILD)], capture_output=True, text=True, env=env, timeout=1800
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"engine/build.sh did not run: {error}"
    if run.returncode != 0:
        reason = run.stderr.strip().splitlines()[-1:] or [f"exit {run.returncode}"]
        return None, reason[0]
    lines = run.stdout.strip().splitlines()
    if not lines or not (Path(lines[-1]) / "pulumi").exists():
        return None, f"engine/build.sh printed no engine folder: {run.stdout[-300:]!r}"
    return Path(lines[-1]), ""


@dataclass
class Result:
    """One CLI command: its exit status, output and (with an event log) engine events."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def text(self) -> str:
        return f"$ pulumi {' '.join(self.args)}\n{self.stdout[-4000:]}\n{self.stderr[-4000:]}"

    def ops(self) -> dict[str, str]:
        """Each custom resource's step (`create`, `same`, `update`, `replace`, `delete`, ...),
        by name, from the engine's events (a replacement's several steps read `replace`)."""
        ops: dict[str, str] = {}
        for event in self.events:
            for kind in ("resourcePreEvent", "resOutputsEvent"):
                metadata = event.get(kind, {}).get("metadata")
                if not metadata or _is_stack_or_provider(metadata["urn"]):
                    continue
                op = metadata["op"]
                name = metadata["urn"].rsplit("::", 1)[1]
                if op in ("create-replacement", "delete-replaced", "replace"):
                    op = "replace"
                if ops.get(name) != "replace":
                    ops[name] = op
        return ops

    def summary(self) -> dict[str, int]:
        for event in self.events:
            if "summaryEvent" in event:
                changes: dict[str, int] = event["summaryEvent"]["resourceChanges"]
                return changes
        raise AssertionError(f"no summary event\n{self.text}")

    def diagnostics(self, severity: str | None = None) -> list[str]:
        """The engine's diagnostic messages (`error`, `warning`, `info`...)."""
        return [
            event["diagnosticEvent"]["message"]
            for event in self.events
            if "diagnosticEvent" in event
            and (severity is None or event["diagnosticEvent"]["severity"] == severity)
        ]

    def outputs(self) -> dict[str, Any]:
        """The stack's outputs, from the root stack resource's output event."""
        for event in self.events:
            metadata = event.get("resOutputsEvent", {}).get("metadata", {})
            if metadata.get("type") == "pulumi:pulumi:Stack":
                outputs: dict[str, Any] = metadata.get("new", {}).get("outputs", {})
                return outputs
        return {}


def _is_stack_or_provider(urn: str) -> bool:
    kind = urn.split("::")[2]
    return kind == "pulumi:pulumi:Stack" or kind.startswith("pulumi:providers:")


SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_MARK = "1b47061264138c4ac30d75fd1eb44270"


def is_secret(value: Any) -> bool:
    """A value the engine keeps as a secret (its JSON form in events and exports)."""
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_MARK


def plan_ops(plan: Mapping[str, Any]) -> dict[str, str]:
    """`preview --json`'s steps, by resource name (the stack and providers left out)."""
    ops: dict[str, str] = {}
    for step in plan.get("steps", []):
        if _is_stack_or_provider(step["urn"]):
            continue
        op = step["op"]
        if op in ("create-replacement", "delete-replaced"):
            op = "replace"
        ops[step["urn"].rsplit("::", 1)[1]] = op
    return ops


class Stack:
    """A stack of one project, in a folder of its own, on a file backend."""

    def __init__(
        self,
        engine: Path,
        project: Path,
        work: Path,
        *,
        stack: str = "dev",
        files: Iterable[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.engine = engine
        self.dir = work / "project"
        self.name = stack
        self._copy(project, files)
        self.meta: dict[str, Any] = yaml.safe_load((self.dir / "Pulumi.yaml").read_text())
        self.project: str = self.meta["name"]
        self._link_virtualenv()
        self.home = work / "pulumi-home"
        self.backend = work / "backend"
        self.backend.mkdir(parents=True, exist_ok=True)
        self.logs = work / "logs"
        self.logs.mkdir(exist_ok=True)
        self.env = self._environment(env or {})
        self._runs = 0
        self.run("login", f"file://{self.backend}")
        self.run("stack", "init", stack, "--secrets-provider", "passphrase")

    def _copy(self, project: Path, files: Iterable[str] | None) -> None:
        ignore = shutil.ignore_patterns(
            "node_modules", "venv", ".venv", "__pycache__", "sdk", "Pulumi.dev.yaml"
        )
        if files is None:
            shutil.copytree(project, self.dir, ignore=ignore)
            return
        self.dir.mkdir(parents=True)
        for name in files:
            source = project / name
            if source.is_dir():
                shutil.copytree(source, self.dir / name, ignore=ignore)
            else:
                shutil.copy2(source, self.dir / name)

    def _link_virtualenv(self) -> None:
        """The project's virtual environment (Pulumi.yaml's `virtualenv`, what `pulumi
        install` would create) is this interpreter's, where the project is installed."""
        runtime = self.meta.get("runtime")
        options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
        if options.get("virtualenv"):
            (self.dir / options["virtualenv"]).symlink_to(sys.prefix, target_is_directory=True)

    def _environment(self, extra: Mapping[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_ENV)}
        # The engine's folder first (its language hosts), then this interpreter's (the
        # provider plugin `pulumi-resource-backups` and the programs' Python).
        env["PATH"] = os.pathsep.join(
            [str(self.engine), str(Path(sys.executable).parent), env.get("PATH", "")]
        )
        env.update(
            {
                "PULUMI_HOME": str(self.home),
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
                # The Python host runs programs and dynamic providers with this interpreter
                # (the one the project is installed into).
                "PULUMI_PYTHON_CMD": sys.executable,
            }
        )
        env.update(extra)
        return env

    # commands ---------------------------------------------------------------------------
    def run(
        self, *args: str, check: bool = True, events: bool = False, timeout: float = TIMEOUT
    ) -> Result:
        """`pulumi <args>` in the project's folder; `events`: with `--json`, whose output is
        then the engine's events, one JSON document a line."""
        process = self._spawn([*args, *(["--json"] if events else [])])
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
        result = Result(list(args), process.returncode, stdout, stderr)
        if events:
            result.events = _read_events(stdout)
        if check and not result.ok:
            raise AssertionError(result.text)
        return result

    def start(self, *args: str) -> tuple[subprocess.Popen[str], Path]:
        """`pulumi <args>` started in the background, in a process group of its own (to be
        interrupted or killed), with the file its events (`--json`) are written to."""
        self._runs += 1
        log = self.logs / f"{self._runs:03d}-{args[0]}.jsonl"
        with log.open("w") as out, (self.logs / f"{self._runs:03d}.stderr").open("w") as err:
            process = self._spawn([*args, "--json"], out, err, start_new_session=True)
        return process, log

    def _spawn(
        self,
        args: list[str],
        stdout: Any = subprocess.PIPE,
        stderr: Any = subprocess.PIPE,
        **options: Any,
    ) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(self.engine / "pulumi"), *args, "--non-interactive"],
            cwd=self.dir,
            env=self.env,
            stdout=stdout,
            stderr=stderr,
            text=True,
            **options,
        )

    def config(self, values: Mapping[str, Any], secret: Iterable[str] = ()) -> None:
        """`pulumi config set-all`: each value (a string, else as JSON), `secret` encrypted."""
        secrets = set(secret)
        args = []
        for key, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value)
            args += ["--secret" if key in secrets else "--plaintext", f"{key}={text}"]
        if args:
            self.run("config", "set-all", *args)

    def preview(self, *args: str, check: bool = True) -> tuple[Result, dict[str, Any]]:
        """`pulumi preview --json`: the result and the plan (steps, changeSummary)."""
        result = self.run("preview", "--json", *args, check=check)
        try:
            plan: dict[str, Any] = json.loads(result.stdout) if result.stdout.strip() else {}
        except json.JSONDecodeError:
            plan = {}
        return result, plan

    def up(self, *args: str, check: bool = True) -> Result:
        return self.run("up", "--yes", "--skip-preview", *args, check=check, events=True)

    def refresh(self, *args: str, check: bool = True) -> Result:
        return self.run("refresh", "--yes", "--skip-preview", *args, check=check, events=True)

    def destroy(self, *args: str, check: bool = True) -> Result:
        return self.run("destroy", "--yes", "--skip-preview", *args, check=check, events=True)

    def export(self) -> dict[str, Any]:
        """`pulumi stack export --show-secrets`: the deployment (resources, pending ops)."""
        text = self.run("stack", "export", "--show-secrets").stdout
        deployment: dict[str, Any] = json.loads(text)["deployment"]
        return deployment

    def resources(self) -> dict[str, dict[str, Any]]:
        """The state's custom resources (stack and providers left out), by name."""
        return {
            r["urn"].rsplit("::", 1)[1]: r
            for r in self.export().get("resources", [])
            if not _is_stack_or_provider(r["urn"])
        }


def _read_events(text: str) -> list[dict[str, Any]]:
    """The events of `--json` output (an error's message may follow them as plain text)."""
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def wait_for_event(log: Path, predicate: Any, timeout: float = 120.0) -> dict[str, Any]:
    """The first event of a running command's log that `predicate` accepts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists():
            for line in log.read_text().splitlines():
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line being written
                if predicate(event):
                    return dict(event)
        time.sleep(0.05)
    raise AssertionError(f"no such event in {log} within {timeout} s")


def interrupt(process: subprocess.Popen[str], sig: int = signal.SIGINT) -> None:
    """A signal to the command's whole process group, as a terminal's Ctrl-C sends it."""
    os.killpg(process.pid, sig)
