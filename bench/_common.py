"""What every benchmark shares: the sandbox, the resources, a provider host, the table.

Figures are measured through the machinery the tests use (``tests/support``): programs run
in-process under the SDK's mocks, every provider call goes over gRPC to the SDK's real
provider host (``python -m pulumi.dynamic``, 4 worker threads), and every HTTP request goes
to the sandbox on a loopback port, whose per-route counters say what was called.

Each script exposes ``measure(sandbox=None, **parameters) -> list[Row]`` (the smoke test calls
it with tiny parameters) and prints its rows when run alone. Inside :func:`streaming` (``main``
and ``run_all``), each row is printed the moment it is made, that is as it is measured, so
that a script that fails or hangs later loses none of the rows it measured.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))  # the engine harness lives in tests/support/engine

from support import Engine, Goal, Program, ProviderHost, ResourceState, run_program  # noqa: E402

from pulumi_backups.sandbox import Sandbox, SandboxSettings  # noqa: E402

PROJECT = "bench"
SERVICE = "sandbox.cluster000.hosting.ovh.net"
DB_USER = "sandboxbench"  # hosting users start with the login `sandbox`, at most 6 more
DB_NAME = f"{DB_USER}.mysql.db"
NASHA = ("zpool-000000", "backups")
SERVER = 12345
INSTANCE = "11111111-1111-1111-1111-111111111111"
THREADS = 4  # the provider host's gRPC pool (pulumi/dynamic/__main__.py)


# -- the table -----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table; ``verdict`` is "ok", "MISS", or "" when there is no target.
    Made inside :func:`streaming`, it is printed at once."""

    figure: str
    measured: str
    target: str = ""
    verdict: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        for sink in _SINKS:
            sink(self)


_SINKS: list[Callable[[Row], None]] = []
"""Where each row goes as it is made (see :func:`streaming`)."""
WIDTHS = (52, 34, 16, 7)
"""Widths of the columns figure, measured, target and verdict (the note is last, free-width);
fixed, since a row is printed before the next is known. A longer cell pushes the rest on."""


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _write(out: TextIO, cells: Sequence[str]) -> None:
    fixed = "  ".join(c.ljust(w) for c, w in zip(cells, WIDTHS, strict=False))
    out.write(f"{fixed}  {cells[4]}".rstrip() + "\n")
    out.flush()


def _write_row(out: TextIO, row: Row) -> None:
    _write(out, [row.figure, row.measured, row.target, row.verdict, row.note])


def _write_heading(out: TextIO) -> None:
    _write(out, ["figure", "measured", "target", "verdict", "note"])
    _write(out, ["-" * w for w in WIDTHS] + ["----"])


@contextmanager
def streaming(out: TextIO = sys.stdout) -> Iterator[list[Row]]:
    """Print the table's heading, then each row made inside as it is made (flushed); yields
    the list of those rows, which fills as they come."""
    rows: list[Row] = []

    def sink(row: Row) -> None:
        rows.append(row)
        _write_row(out, row)

    _write_heading(out)
    _SINKS.append(sink)
    try:
        yield rows
    finally:
        _SINKS.remove(sink)


def print_table(rows: Sequence[Row], out: TextIO = sys.stdout) -> None:
    """Rows made already, printed as :func:`streaming` prints them."""
    _write_heading(out)
    for row in rows:
        _write_row(out, row)


def main(measure: Callable[..., list[Row]]) -> None:
    """Run one script's figures against a fresh sandbox, printing each row as measured."""
    started = time.perf_counter()
    with streaming():
        measure()
    print(f"({time.perf_counter() - started:.0f} s)")


# -- the sandbox ---------------------------------------------------------------------------


@contextmanager
def bench_sandbox(given: Sandbox | None = None) -> Iterator[Sandbox]:
    """``given`` reset (operations instant), or a new in-process sandbox stopped at the end."""
    if given is not None:
        given.reset()
        given.configure(task_seconds=0)
        yield given
        return
    sandbox = Sandbox(SandboxSettings(task_seconds=0)).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def counters(sandbox: Sandbox) -> dict[str, int]:
    """Requests per route since the last clear, without path converters (``{id:int}``)."""
    found: dict[str, int] = {}
    for route, count in sandbox.counters().items():
        key = re.sub(r":\w+}", "}", route)
        found[key] = found.get(key, 0) + count
    return found


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="pulumi-backups-bench-") as path:
        yield Path(path)


# -- the resources -------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of backup: how a program declares one, and what its requests look like."""

    name: str
    make: Callable[[str, int], Any]  # (resource name, index) -> the resource
    poll: str  # the route its waits poll
    read: str  # the route a refresh reads it with
    needs_database: bool = False  # dumps need DB_NAME to exist
    delete_waits: bool = True  # False: the API deletes at once (no server-side operation)


def _vps(name: str, index: int) -> Any:
    from pulumi_backups import VpsBackup

    return VpsBackup(name, server_id=SERVER, description=f"bench {index}")


def _rdb(name: str, index: int) -> Any:
    from pulumi_backups import RdbBackup

    return RdbBackup(name, instance_id=INSTANCE, database_name="app", name=f"bench-{name}")


def _dump(name: str, index: int) -> Any:
    from pulumi_backups import HostingDatabaseDump

    return HostingDatabaseDump(name, service_name=SERVICE, database_name=DB_NAME)


def _snapshot(name: str, index: int) -> Any:
    from pulumi_backups import NashaCustomSnapshot

    service, partition = NASHA
    return NashaCustomSnapshot(name, service_name=service, partition_name=partition, name=name)


_OVH = "/1.0/hosting/web/{serviceName}"
_NAS = "/1.0/dedicated/nasha/{serviceName}"
BACKUP_KINDS = (
    Kind("VpsBackup", _vps, "GET /api/v1/backups/", "GET /api/v1/backups/", delete_waits=False),
    Kind(
        "RdbBackup",
        _rdb,
        "GET /rdb/v1/regions/{region}/backups/{backup_id}",
        "GET /rdb/v1/regions/{region}/backups/{backup_id}",
    ),
    Kind(
        "HostingDatabaseDump",
        _dump,
        f"GET {_OVH}/tasks/{{id}}",
        f"GET {_OVH}/database/{{name}}/dump/{{id}}",
        needs_database=True,
    ),
    Kind(
        "NashaCustomSnapshot",
        _snapshot,
        f"GET {_NAS}/task/{{taskId}}",
        f"GET {_NAS}/partition/{{partitionName}}/customSnapshot/{{name}}",
    ),
)


def kinds_named(names: Iterable[str] | None) -> tuple[Kind, ...]:
    """The backup kinds called ``names`` (all of them for None)."""
    if names is None:
        return BACKUP_KINDS
    wanted = set(names)
    return tuple(k for k in BACKUP_KINDS if k.name in wanted)


def backups(kinds: Sequence[Kind], count: int, tag: str = "") -> Callable[[], None]:
    """A program declaring ``count`` backups of each kind, named ``{kind}-{tag}{i}``."""

    def program() -> None:
        for kind in kinds:
            for index in range(count):
                kind.make(f"{kind.name.lower()}-{tag}{index}", index)

    return program


def engine(sandbox: Sandbox, program: Callable[[], Any], state: Path) -> Engine:
    """An engine for ``program`` against the sandbox, its checkpoint in ``state``."""
    return Engine(program, state, sandbox.stack_config(), project=PROJECT)


@contextmanager
def hosting_database(sandbox: Sandbox, directory: Path, needed: bool = True) -> Iterator[None]:
    """DB_NAME exists while inside (made and removed through the host, instantly)."""
    if not needed:
        yield
        return

    def program() -> None:
        from pulumi_backups import HostingDatabase

        HostingDatabase(
            "db", service_name=SERVICE, user=DB_USER, type="mysql", capability="sqlPerso",
            deletion_protection=False,
        )  # fmt: skip

    setup = engine(sandbox, program, directory / "database.json")
    before = sandbox.config()["task_seconds"]
    sandbox.configure(task_seconds=0)
    setup.up()
    sandbox.configure(task_seconds=before)
    try:
        yield
    finally:
        sandbox.configure(task_seconds=0)
        setup.destroy()
        sandbox.configure(task_seconds=before)


# -- a provider host driven directly -------------------------------------------------------


def goals(sandbox: Sandbox, program: Callable[[], Any]) -> list[Goal]:
    """What ``program`` registers (inputs in wire form, ``__provider`` included), as in a
    preview: outputs of other resources are unknown."""
    captured: list[Goal] = []

    def register(goal: Goal) -> tuple[str, dict[str, Any]]:
        captured.append(goal)
        return "", goal.inputs

    failure = run_program(
        Program.resolve(program, PROJECT),
        stack_name="dev",
        preview=True,
        config=sandbox.stack_config(),
        secret_keys=[],
        env={},
        register=register,
        exports={},
    )
    if failure is not None:
        raise failure
    return captured


class Host:
    """One provider host configured for the sandbox; calls as the engine makes them."""

    def __init__(self, sandbox: Sandbox) -> None:
        started = time.perf_counter()
        self.process = ProviderHost()
        self.process.configure(sandbox.stack_config())
        self.spawn_seconds = time.perf_counter() - started

    def create(self, goal: Goal) -> ResourceState:
        """Check then Create, like the engine for a new resource."""
        checked = self.process.check(goal.urn, {}, goal.inputs).inputs
        id_, outputs = self.process.create(goal.urn, checked)
        return ResourceState(goal.urn, goal.type, id_, checked, outputs)

    def read(self, res: ResourceState) -> None:
        self.process.read(res.urn, res.id, res.outputs, res.inputs)

    def delete(self, res: ResourceState) -> None:
        self.process.delete(res.urn, res.id, res.outputs, old_inputs=res.inputs)

    def close(self) -> None:
        self.process.close()


@contextmanager
def host(sandbox: Sandbox) -> Iterator[Host]:
    started = Host(sandbox)
    try:
        yield started
    finally:
        started.close()


def timed(call: Callable[[], Any]) -> float:
    """Seconds ``call`` took."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started
