"""Running the reliability tests: a sandbox in its own process, convergence, error checks.

`SandboxProcess` runs `python -m pulumi_backups.sandbox --state FILE` on a fixed loopback
port and restarts it on the same port and state file. `converge` runs an engine command
again until it succeeds, as an operator would, checking every failure on the way with
`assert_reported`. `Tally` keeps the figures a run reports.
"""

from __future__ import annotations

import random
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from support import DeploymentError, ProviderHost, RunResult

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.handle import environment

CRUD = frozenset({"Create", "Read", "Update", "Delete"})
_OPERATION = re.compile(r": (create|read|update|delete) failed: ")
_CALL = re.compile(
    r"\b(GET|POST|PUT|PATCH|DELETE) /\S+ failed: "
    r"(HTTP (?P<status>\d{3})( \[[^\]]+\])?|no response): (?P<message>\S.*)"
)
_KINDS = (  # resource name prefix -> the kind its errors must name (longest prefix first)
    ("db0-restore", "HostingDatabaseRestore"),
    ("vps-restore", "VpsRestore"),
    ("rdb-restore", "RdbBackupRestore"),
    ("schedule", "NashaSnapshotPolicy"),
    ("snapshot", "NashaCustomSnapshot"),
    ("vps", "VpsBackup"),
    ("rdb", "RdbBackup"),
)


def kind_for(name: str) -> str:
    """The resource kind of a resource of the reliability_mixed program, by its name."""
    if re.fullmatch(r"db\d+-dump\d+", name):
        return "HostingDatabaseDump"
    if re.fullmatch(r"db\d+", name):
        return "HostingDatabase"
    return next(kind for prefix, kind in _KINDS if name.startswith(prefix))


def final_line(message: str) -> str:
    """The error as the user reads it last: the final line of the host's traceback, without
    the exception's class name."""
    last = [line for line in message.strip().splitlines() if line.strip()][-1]
    return re.sub(r"^[\w.]+(Error|Exception): ", "", last.strip())


def assert_reported(name: str, message: str) -> re.Match[str]:
    """The failure of `name` names its resource kind, what failed, the call and the server's
    words (or that no answer came); returns the call's match."""
    line = final_line(message)
    assert kind_for(name) in line and _OPERATION.search(line), f"{name}: {line}"
    call = _CALL.search(line)
    assert call is not None, f"{name}: no call and server message in: {line}"
    return call


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class SandboxProcess:
    """`python -m pulumi_backups.sandbox` in a subprocess on a fixed port, restartable.

    `lives` lists, per process that ended, the API requests it counted (read just before it
    was stopped).
    """

    def __init__(self, state: Path, log: Path, options: list[str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lives: list[int] = []
        self._log = log
        self._command = [
            *(sys.executable, "-m", "pulumi_backups.sandbox"),
            *("--port", str(self.port), "--state", str(state), *options),
        ]
        self._proc: subprocess.Popen[bytes] | None = None
        self.api = Sandbox.attach(self.url)
        """Admin handle (admin routes are never faulted); its connections end with each life."""

    def start(self) -> SandboxProcess:
        """Start and return once the port is bound (connections queue until it serves)."""
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(self._command, stdout=subprocess.PIPE, stderr=log)
        assert self._proc.stdout is not None
        lines = [self._proc.stdout.readline() for _ in environment(self.url)]
        if not all(line.startswith(b"export ") for line in lines):
            raise RuntimeError(f"the sandbox did not start; see {self._log}")
        return self

    def stop(self) -> None:
        """SIGTERM: the sandbox answers the requests it holds, closes its port and exits."""
        if self._proc is None:
            return
        self.lives.append(self.requests())
        self.api.stop()  # closes the handle's connections; it reconnects when next used
        self._proc.terminate()
        self._proc.wait(timeout=60)
        assert self._proc.stdout is not None
        self._proc.stdout.close()
        self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def requests(self) -> int:
        """API requests counted by the running process."""
        return sum(self.api.counters().values())


class RestartOnCreate:
    """Engine `on_call` hook: restart the sandbox just before the `nth` Create call, once."""

    def __init__(self, server: SandboxProcess, nth: int) -> None:
        self.server = server
        self.nth = nth
        self.creates = 0
        self.restarted = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, method: str, name: str, host: ProviderHost) -> None:
        if method != "Create":
            return
        with self._lock:
            self.creates += 1
            if self.creates != self.nth:
                return
        self.server.restart()
        self.restarted.set()


@dataclass
class Tally:
    """Figures of a reliability run."""

    runs: dict[str, int] = field(default_factory=dict)
    operations: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, phase: str, result: RunResult) -> None:
        self.runs[phase] = self.runs.get(phase, 0) + 1
        self.operations += sum(1 for method, _ in result.calls if method in CRUD)


def converge(phase: str, command: Callable[[], RunResult], tally: Tally, runs: int) -> RunResult:
    """Run `command` until it succeeds, at most `runs` times; every failure must be reported
    with its resource, call and server message."""
    for _ in range(runs):
        try:
            result = command()
        except DeploymentError as err:
            tally.add(phase, err.result)
            assert err.result.program_error is None, err.result.program_error
            for name, message in err.errors.items():
                call = assert_reported(name, message)
                tally.failures.append(f"{phase} {name}: {call.group(0)}")
            continue
        tally.add(phase, result)
        return result
    raise AssertionError(f"{phase} did not converge in {runs} runs: {tally.failures}")


def faults_drawn(
    seed: int, requests: int, error_rate: float, ratelimit_rate: float
) -> dict[str, int]:
    """503s and 429s a freshly started sandbox seeded `seed` injects into `requests` requests
    (it draws once per request from `random.Random(seed)`)."""
    rng = random.Random(seed)
    draws = [rng.random() for _ in range(requests)]
    errors = sum(1 for d in draws if d < error_rate)
    limited = sum(1 for d in draws if error_rate <= d < error_rate + ratelimit_rate)
    return {"503": errors, "429": limited}
