"""Lying answers: what a refresh, a destroy or a create leaves when an answer is not what it
seems. Objects LOST (gone from the server though nothing asked), LEAKED (on the server, in no
state) and DROPPED (out of the state, still on the server), per scenario and resource kind.

Scenarios, each from a fresh sandbox, through the engine harness and the real provider host
(program tests/programs/safety_all, one resource kind at a time):

- a proxy's HTML 404 on the object's read route during a refresh, on its delete route during
  a destroy;
- a base URL that serves no API (``.../proxy``), then a refresh and a destroy;
- OVHcloud's ``/auth/time`` answering 500 during a refresh and a destroy;
- the create carried out and its answer lost (a 500, a dropped connection), then ``up`` again.

``--before REV`` runs the same scenarios with the provider code of git revision ``REV`` too
(a temporary worktree put first on the provider host's PYTHONPATH; the harness, the program
and the sandbox stay this tree's) and prints both figures side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _common as c
from reliability.inventory import held, settled_objects
from support import DeploymentError, Engine, sandbox_engine

from pulumi_backups.sandbox import Sandbox

PROGRAM = c.ROOT / "tests" / "programs" / "safety_all"
WEB = "/1.0/hosting/web/{serviceName}/database"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
RDB = "/rdb/v1/regions/{region}/backups"


@dataclass(frozen=True)
class Target:
    """One resource of the program: its settings and routes, and the setting of its API."""

    settings: dict[str, Any]
    read: str
    delete: str
    create: str
    endpoint: str


TARGETS = {
    "db": Target(
        {}, f"GET {WEB}/{{name}}", f"DELETE {WEB}/{{name}}", f"POST {WEB}", "ovh:endpoint"
    ),
    "dump": Target(
        {"backups": ["dump"]},
        f"GET {WEB}/{{name}}/dump/{{id}}",
        f"DELETE {WEB}/{{name}}/dump/{{id}}",
        f"POST {WEB}/{{name}}/dump",
        "ovh:endpoint",
    ),
    "snapshot": Target(
        {"database": False, "backups": ["snapshot"]},
        f"GET {PART}/customSnapshot/{{name}}",
        f"DELETE {PART}/customSnapshot/{{name}}",
        f"POST {PART}/customSnapshot",
        "ovh:endpoint",
    ),
    "vpsbackup": Target(
        {"database": False, "backups": ["vps"]},
        "GET /api/v1/backups/",
        "DELETE /api/v1/backups/{backup_id}/",
        "POST /api/v1/backups/",
        "vps:apiUrl",
    ),
    "rdbbackup": Target(
        {"database": False, "backups": ["rdb"]},
        f"GET {RDB}/{{backup_id}}",
        f"DELETE {RDB}/{{backup_id}}",
        f"POST {RDB}",
        "scaleway:apiUrl",
    ),
}


@dataclass
class Tally:
    lost: int = 0
    leaked: int = 0
    dropped: int = 0
    note: str = ""

    def add(self, other: Tally) -> None:
        self.lost += other.lost
        self.leaked += other.leaked
        self.dropped += other.dropped

    def __str__(self) -> str:
        return f"lost {self.lost}, leaked {self.leaked}, dropped {self.dropped}"


def on_server(sandbox: Sandbox) -> set[str]:
    """The resource ids of every object the sandbox holds."""
    return {i for docs in held(settled_objects(sandbox)).values() for i in docs}


def ids(run: Engine) -> set[str]:
    return {res.id for res in run.state if res.id}


def tally(sandbox: Sandbox, run: Engine, before_state: set[str], before_server: set[str]) -> Tally:
    server, state = on_server(sandbox), ids(run)
    return Tally(
        lost=len(before_state - server),
        leaked=len((server - before_server) - state),
        dropped=len((before_state - state) & server),
    )


def attempt(step: Callable[[], Any]) -> None:
    with contextlib.suppress(DeploymentError):
        step()


Scenario = Callable[[Sandbox, Engine, Target], Tally]


def _lie_then(fault: Callable[[Sandbox, Engine, Target], None], step: str) -> Scenario:
    """Deploy, set the lie, run ``step`` (refresh or destroy), count, then clean up."""

    def scenario(sandbox: Sandbox, run: Engine, target: Target) -> Tally:
        run.up()
        before_state, before_server = ids(run), on_server(sandbox)
        fault(sandbox, run, target)
        attempt(getattr(run, step))
        sandbox.clear_faults()
        return tally(sandbox, run, before_state, before_server)

    return scenario


def _html404(route: str) -> Callable[[Sandbox, Engine, Target], None]:
    def fault(sandbox: Sandbox, run: Engine, target: Target) -> None:
        sandbox.fault("html404", getattr(target, route), count=None)

    return fault


def _wrong_base(sandbox: Sandbox, run: Engine, target: Target) -> None:
    run.stack_config[target.endpoint] = f"{sandbox.url}/proxy"
    attempt(run.up)  # stores the setting for the refresh or destroy that follows


def _auth_time(sandbox: Sandbox, run: Engine, target: Target) -> None:
    sandbox.fault("500", "GET /1.0/auth/time", count=None)


def _lost_create(kind: str) -> Scenario:
    def scenario(sandbox: Sandbox, run: Engine, target: Target) -> Tally:
        before_server = on_server(sandbox)
        sandbox.fault(kind, target.create, count=1)
        attempt(run.up)
        attempt(run.up)  # the next run: takes what the lost answer created, or says so
        sandbox.clear_faults()
        return tally(sandbox, run, set(), before_server)

    return scenario


SCENARIOS: dict[str, tuple[Scenario, tuple[str, ...]]] = {
    "proxy 404 on read, refresh": (_lie_then(_html404("read"), "refresh"), tuple(TARGETS)),
    "proxy 404 on delete, destroy": (_lie_then(_html404("delete"), "destroy"), tuple(TARGETS)),
    "wrong base URL, refresh": (_lie_then(_wrong_base, "refresh"), tuple(TARGETS)),
    "wrong base URL, destroy": (_lie_then(_wrong_base, "destroy"), tuple(TARGETS)),
    "/auth/time 500, refresh": (_lie_then(_auth_time, "refresh"), ("db", "snapshot")),
    "/auth/time 500, destroy": (_lie_then(_auth_time, "destroy"), ("db", "snapshot")),
    "create acted, 500 lost": (_lost_create("lost-500"), tuple(TARGETS)),
    "create acted, connection dropped": (_lost_create("lost-drop"), tuple(TARGETS)),
}


NOTES = {
    "create acted, 500 lost": "a dump's and a VPS backup's create errors name what may exist",
    "create acted, connection dropped": "as above",
}


def run_scenarios(
    sandbox: Sandbox,
    provider_path: Path | None,
    names: Iterable[str] | None = None,
    only: Iterable[str] | None = None,
) -> dict[str, Tally]:
    """Scenario name -> its tally summed over the resource kinds (each from a reset sandbox);
    ``only``: those kinds of :data:`TARGETS`."""
    found: dict[str, Tally] = {}
    for name in names or SCENARIOS:
        scenario, kinds = SCENARIOS[name]
        total = Tally()
        for kind in (k for k in kinds if only is None or k in only):
            sandbox.reset()
            sandbox.configure(task_seconds=0)
            with c.workdir() as directory:
                run = sandbox_engine(
                    sandbox, PROGRAM, directory, deletion_protection=False, **TARGETS[kind].settings
                )
                if provider_path is not None:  # the host imports that tree's provider first
                    run.host_paths.append(str(provider_path))
                try:
                    total.add(scenario(sandbox, run, TARGETS[kind]))
                except Exception as err:  # a scenario that code cannot run: said in the note
                    total.note = f"{kind}: {type(err).__name__}: {str(err)[:60]}"
        found[name] = total
    return found


@contextlib.contextmanager
def revision(rev: str) -> Iterator[Path]:
    """A temporary worktree of ``rev``; yields its provider/ directory."""
    with tempfile.TemporaryDirectory(prefix="pulumi-backups-before-") as tmp:
        tree = Path(tmp) / "tree"
        git = ["git", "-C", str(c.ROOT)]
        subprocess.run([*git, "worktree", "add", "--detach", str(tree), rev], check=True,
                       capture_output=True)  # fmt: skip
        try:
            yield tree / "provider"
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=False,
                           capture_output=True)  # fmt: skip


def measure(
    sandbox: Sandbox | None = None,
    names: Iterable[str] | None = None,
    before: Path | None = None,
    only: Iterable[str] | None = None,
) -> list[c.Row]:
    """One row per scenario: this tree's tally (target: nothing lost, leaked or dropped),
    and, with ``before`` (a provider/ directory), that code's tally in the note."""
    rows = []
    with c.bench_sandbox(sandbox) as sb:
        after = run_scenarios(sb, None, names, only)
        old = run_scenarios(sb, before, names, only) if before is not None else {}
    for name, tally_ in after.items():
        clean = tally_.lost == tally_.leaked == tally_.dropped == 0
        note = f"before: {old[name]}" if name in old else ""
        extra = (old[name].note if name in old else "", tally_.note, NOTES.get(name, ""))
        note = "; ".join(n for n in (note, *extra) if n)
        rows.append(c.Row(name, str(tally_), "all 0", c.verdict(clean and not tally_.note), note))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also run the provider code of REV")
    options = parser.parse_args()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        before = stack.enter_context(revision(options.before)) if options.before else None
        rows = measure(before=before)
    c.print_table(rows)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
