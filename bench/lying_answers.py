"""Lying answers: what a refresh, a destroy or a create leaves when an answer is not what it
seems, per class of lie, summed over the resource kinds it applies to. Objects are counted on
the sandbox's own listing against the stack's state:

- LOST: the state names an object the server no longer has (nothing asked for its deletion);
- LEAKED: made during the scenario, in no state;
- DUPLICATED: made beyond one per resource the state gained (a second backup for one resource);
- WRONG DELETE: an object of no state (a bystander made beforehand) deleted, or a good backup
  deleted because a later step failed;
- DROPPED: out of the state while still on the server;
- CROSSED: a resource whose outputs describe another object than the one its id names;
- SECRET SENT: requests that followed a redirect to another host with a credential or a
  password (``sandbox.collected()``);
- OVER DEADLINE: a create that outlived its ``timeouts`` by more than :data:`GRACE` seconds.

Each scenario runs from a reset sandbox, through the engine harness and the SDK's real
provider host (program tests/programs/safety_all, one resource kind at a time; the deadline
and export scenarios declare their resource here, with ``timeouts``), with the sandbox's lies
(``sandbox.fault("set:...", route)``, ``omit:``, ``body:``, ``redirect:``, ``silent``,
``trickle:``, ``date:``). The many-deletes case is bench/refresh.py's.

``--before REV`` runs the same scenarios with the provider code of git revision ``REV`` too
(a temporary worktree put first on the provider host's PYTHONPATH; the harness, the programs
and the sandbox stay this tree's) and puts its figures in the note.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import _common as c
from reliability.inventory import crossed, held, settled_objects
from support import DeploymentError, Engine, ProviderHost, sandbox_engine

from pulumi_backups.sandbox import Sandbox

PROGRAM = c.ROOT / "tests" / "programs" / "safety_all"
WEB = "/1.0/hosting/web/{serviceName}/database"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
RDB = "/rdb/v1/regions/{region}/backups"
VPS_LIST = "GET /api/v1/backups/"
DEADLINE = 5.0
"""The ``timeouts`` create of the deadline scenarios, in seconds."""
GRACE = 5.0
"""Seconds past its deadline a create may take (its last request, the cleanup)."""
CAP = 20.0
"""Seconds a create of the deadline scenarios is given before it counts as never ending."""
YEAR = 365 * 24 * 3600
CREDENTIALS = ("authorization", "x-auth-token", "x-ovh-application", "x-ovh-consumer")


@dataclass(frozen=True)
class Target:
    """One resource of the program: its settings and routes, and the lie its read gets."""

    settings: dict[str, Any]
    read: str
    delete: str
    create: str
    endpoint: str
    other_read: str
    """A read answer about another object (``set:...``)."""
    declares: tuple[str, ...]
    """The kinds of the resources the program declares with these settings."""


TARGETS = {
    "db": Target(
        {},
        f"GET {WEB}/{{name}}",
        f"DELETE {WEB}/{{name}}",
        f"POST {WEB}",
        "ovh:endpoint",
        'set:user="sandboxother"',
        ("HostingDatabase",),
    ),
    "dump": Target(
        {"backups": ["dump"]},
        f"GET {WEB}/{{name}}/dump/{{id}}",
        f"DELETE {WEB}/{{name}}/dump/{{id}}",
        f"POST {WEB}/{{name}}/dump",
        "ovh:endpoint",
        "set:id=777",
        ("HostingDatabase", "HostingDatabaseDump"),
    ),
    "snapshot": Target(
        {"database": False, "backups": ["snapshot"]},
        f"GET {PART}/customSnapshot/{{name}}",
        f"DELETE {PART}/customSnapshot/{{name}}",
        f"POST {PART}/customSnapshot",
        "ovh:endpoint",
        'set:name="other"',
        ("NashaCustomSnapshot",),
    ),
    "vpsbackup": Target(
        {"database": False, "backups": ["vps"]},
        VPS_LIST,
        "DELETE /api/v1/backups/{backup_id}/",
        "POST /api/v1/backups/",
        "vps:apiUrl",
        'set:results.*.description="other"',
        ("VpsBackup",),
    ),
    "rdbbackup": Target(
        {"database": False, "backups": ["rdb"]},
        f"GET {RDB}/{{backup_id}}",
        f"DELETE {RDB}/{{backup_id}}",
        f"POST {RDB}",
        "scaleway:apiUrl",
        'set:database_name="other"',
        ("RdbBackup",),
    ),
}
ALL = tuple(TARGETS)


@dataclass
class Tally:
    """What one or more trials left (see the module docstring); ``notes`` say what failed."""

    lost: int = 0
    leaked: int = 0
    duplicated: int = 0
    wrong_delete: int = 0
    dropped: int = 0
    crossed: int = 0
    secret_sent: int = 0
    over_deadline: int = 0
    notes: list[str] = field(default_factory=list)
    where: dict[str, str] = field(default_factory=dict)
    """Kind (and variant) -> what its trial left, for those that left something."""

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type == "int"}

    def add(self, other: Tally) -> None:
        for name, value in other.counts().items():
            setattr(self, name, getattr(self, name) + value)
        self.notes += other.notes
        self.where.update(other.where)

    @property
    def clean(self) -> bool:
        return not any(self.counts().values())

    def __str__(self) -> str:
        found = [f"{k.replace('_', ' ')} {v}" for k, v in self.counts().items() if v]
        return ", ".join(found) or "all 0"


def on_server(sandbox: Sandbox) -> set[str]:
    """The resource ids of every object the sandbox holds."""
    return {i for docs in held(settled_objects(sandbox)).values() for i in docs}


def ids(run: Engine) -> set[str]:
    return {res.id for res in run.state if res.id and not res.pending_delete}


def made_beyond(made: set[str], objects: dict[str, Any], declares: Iterable[str], had: int) -> int:
    """Objects among ``made`` beyond one per declared resource the state did not ``had``."""
    kinds = held(objects)
    count = sum(len(made & set(kinds[kind])) for kind in set(declares))
    return max(0, count - (len(list(declares)) - had))


def secrets_sent(sandbox: Sandbox) -> int:
    """Requests that followed a redirect carrying a credential or a password."""
    sent = 0
    for request in sandbox.collected():
        headers = {str(k).lower() for k in request.get("headers", {})}
        body = str(request.get("body") or "")
        if headers & set(CREDENTIALS) or "password" in body.lower():
            sent += 1
    return sent


def attempt(step: Callable[[], Any]) -> None:
    with contextlib.suppress(DeploymentError):
        step()


class Trial:
    """One scenario on one resource kind: its engine, and the objects before the lie."""

    def __init__(self, sandbox: Sandbox, directory: Path, kind: str, before: Path | None):
        self.sandbox, self.directory, self.kind, self.before = sandbox, directory, kind, before
        self.target = TARGETS.get(kind)
        self.run = self.engine("stack")
        self.state0: set[str] = set()
        self.server0: set[str] = set()

    def engine(self, name: str, program: Any = PROGRAM) -> Engine:
        settings = self.target.settings if self.target else {}
        run = sandbox_engine(
            self.sandbox, program, self.directory / name, deletion_protection=False, **settings
        )
        if self.before is not None:  # the host imports that tree's provider first
            run.host_paths.append(str(self.before))
        return run

    def mark(self) -> None:
        """What the state and the server hold now: the lie comes next."""
        self.state0, self.server0 = ids(self.run), on_server(self.sandbox)

    def tally(self, destroyed: bool = False) -> Tally:
        """The counts since :meth:`mark`; ``destroyed``: the step asked for the deletions."""
        self.sandbox.clear_faults()
        objects = settled_objects(self.sandbox)
        server = {i for docs in held(objects).values() for i in docs}
        state = ids(self.run)
        bystanders = self.server0 - self.state0
        gone_unasked = set() if destroyed else (self.state0 - state) - server
        made = server - self.server0
        declares = self.target.declares if self.target else ()
        return Tally(
            lost=len(state - server) + len(gone_unasked),
            leaked=len(made - state),
            duplicated=made_beyond(made, objects, declares, len(self.state0)),
            wrong_delete=len(bystanders - server),
            dropped=len((self.state0 - state) & server),
            crossed=len(crossed(objects, self.run.state)),
            secret_sent=secrets_sent(self.sandbox),
        )


Scenario = Callable[[Trial, str], Tally]


# -- the scenarios -------------------------------------------------------------------------


def proxy_404(trial: Trial, variant: str) -> Tally:
    """A proxy's HTML 404 on every ``variant`` ("read": refresh; "delete": destroy)."""
    assert trial.target is not None
    trial.run.up()
    trial.mark()
    trial.sandbox.fault("html404", getattr(trial.target, variant), count=None)
    step = trial.run.refresh if variant == "read" else trial.run.destroy
    attempt(step)
    return trial.tally(destroyed=variant == "delete")


def wrong_base(trial: Trial, variant: str) -> Tally:
    """A base URL that serves no API (``.../proxy``), then ``variant`` (refresh, destroy)."""
    assert trial.target is not None
    trial.run.up()
    trial.mark()
    trial.run.stack_config[trial.target.endpoint] = f"{trial.sandbox.url}/proxy"
    attempt(trial.run.up)  # stores the setting for the refresh or destroy that follows
    attempt(getattr(trial.run, variant))
    return trial.tally(destroyed=variant == "destroy")


def auth_time(trial: Trial, variant: str) -> Tally:
    """OVHcloud's ``/auth/time`` answers 500 during ``variant`` (refresh, destroy)."""
    trial.run.up()
    trial.mark()
    trial.sandbox.fault("500", "GET /1.0/auth/time", count=None)
    attempt(getattr(trial.run, variant))
    return trial.tally(destroyed=variant == "destroy")


def lost_create(trial: Trial, variant: str) -> Tally:
    """The create carried out and its answer lost (``variant``: lost-500, lost-drop); then
    up again, which takes what the lost answer created, or says so."""
    assert trial.target is not None
    trial.mark()
    trial.sandbox.fault(variant, trial.target.create, count=1)
    attempt(trial.run.up)
    attempt(trial.run.up)
    return trial.tally()


def create_names_another(trial: Trial, variant: str) -> Tally:
    """A bystander backup exists (made by another stack); the create's answer names it."""
    bystander = trial.engine("bystander")
    bystander.up()
    (other,) = held(trial.sandbox.objects())[KIND_NAMES[trial.kind]].values()
    trial.mark()
    assert trial.target is not None
    trial.sandbox.fault(f"set:id={json.dumps(other['id'])}", trial.target.create)
    attempt(trial.run.up)
    attempt(trial.run.destroy)
    return trial.tally(destroyed=True)


def read_about_another(trial: Trial, variant: str) -> Tally:
    """Refresh while every read answers about another object, then destroy."""
    assert trial.target is not None
    trial.run.up()
    trial.mark()
    trial.sandbox.fault(trial.target.other_read, trial.target.read, count=None)
    attempt(trial.run.refresh)
    found = trial.tally()
    attempt(trial.run.destroy)
    found.wrong_delete += trial.tally(destroyed=True).wrong_delete
    return found


LISTINGS = {
    "omits once": ("omit:{id}", 1),
    "empty 200": ("body:empty", None),
    "204": ("body:204", None),
    "under another server": ("set:results.*.server.id=54321", None),
}


def listing_lies(trial: Trial, variant: str) -> Tally:
    """The VPS listing lies (``variant`` of :data:`LISTINGS`) during a refresh, and the next
    up; then during a destroy."""
    lie, count = LISTINGS[variant]
    trial.run.up()
    backup_id = next(iter(ids(trial.run))).split("/")[1]
    trial.mark()
    trial.sandbox.fault(lie.format(id=backup_id), VPS_LIST, count=count)
    attempt(trial.run.refresh)
    trial.sandbox.clear_faults()
    attempt(trial.run.up)  # a dropped backup is made again
    found = trial.tally()
    trial.mark()
    trial.sandbox.fault(lie.format(id=backup_id), VPS_LIST, count=count)
    attempt(trial.run.destroy)
    found.add(trial.tally(destroyed=True))
    return found


def redirects(trial: Trial, variant: str) -> Tally:
    """``variant`` "read": a 302 on every read during a refresh; "create": a 307 on the
    create (which resends its body), then up again."""
    assert trial.target is not None
    if variant == "read":
        trial.run.up()
        trial.mark()
        trial.sandbox.fault("redirect:302", trial.target.read, count=None)
        attempt(trial.run.refresh)
    else:
        trial.mark()
        trial.sandbox.fault("redirect:307", trial.target.create, count=None)
        attempt(trial.run.up)
    found = trial.tally()
    trial.sandbox.clear_faults()
    attempt(trial.run.up)
    return found


def malformed_create(trial: Trial, variant: str) -> Tally:
    """The create's 2xx answer is ``body:<variant>`` (the server made the object); then up."""
    assert trial.target is not None
    trial.mark()
    trial.sandbox.fault(f"body:{variant}", trial.target.create)
    attempt(trial.run.up)
    attempt(trial.run.up)  # takes what the garbled answer made, or says it may exist
    return trial.tally()


def _declared(kind: str, **more: Any) -> Callable[[], None]:
    """A program declaring one resource of ``kind`` with ``more`` inputs."""

    def program() -> None:
        from pulumi_backups import NashaCustomSnapshot, RdbBackup, VpsBackup

        if kind == "vpsbackup":
            VpsBackup("vpsbackup", server_id=c.SERVER, description="lie", **more)
        elif kind == "rdbbackup":
            RdbBackup("rdbbackup", instance_id=c.INSTANCE, database_name="app", **more)
        else:
            service, partition = c.NASHA
            NashaCustomSnapshot(
                "snapshot", service_name=service, partition_name=partition, name="lie", **more
            )

    return program


def deadline(trial: Trial, variant: str) -> Tally:
    """Every create request gets ``variant`` (``silent``, ``trickle:1``); the create has
    ``timeouts`` of :data:`DEADLINE` s and is given :data:`CAP` s to answer."""
    program = _declared(trial.kind, timeouts={"create": DEADLINE})
    (goal,) = c.goals(trial.sandbox, program)
    route = TARGETS[trial.kind].create
    paths = [str(trial.before)] if trial.before is not None else []
    host = ProviderHost(pythonpath=paths, call_timeout=CAP)
    try:
        host.configure(trial.sandbox.stack_config())
        checked = host.check(goal.urn, {}, goal.inputs).inputs
        trial.mark()
        trial.sandbox.fault(variant, route, count=None)
        started = time.monotonic()
        with contextlib.suppress(Exception):
            host.create(goal.urn, checked)
        elapsed = time.monotonic() - started
    finally:
        host.close()
    found = trial.tally()
    if elapsed > DEADLINE + GRACE:
        found.over_deadline += 1
        found.notes.append(
            f"{trial.kind}: {elapsed:.0f} s" + (" or more" if elapsed >= CAP else "")
        )
    return found


def export_date(trial: Trial, variant: str) -> Tally:
    """Every Scaleway answer's Date is a year ahead or behind (``variant``: +/-) while an
    exported RdbBackup is made (``timeouts`` create :data:`DEADLINE` s)."""
    run = trial.engine("export", _declared("rdbbackup", export=True, timeouts={"create": 20}))
    trial.run = run
    trial.mark()
    trial.sandbox.clear_counters()
    trial.sandbox.fault(f"date:{variant}{YEAR}", api="scaleway", count=None)
    started = time.monotonic()
    attempt(run.up)
    elapsed = time.monotonic() - started
    deletes = c.counters(trial.sandbox).get(f"DELETE {RDB}/{{backup_id}}", 0)
    found = trial.tally()
    found.wrong_delete += deletes  # the backup it made was good: only its link was in doubt
    found.over_deadline += int(elapsed > 20 + GRACE)
    attempt(run.destroy)
    return found


KIND_NAMES = {"vpsbackup": "VpsBackup", "rdbbackup": "RdbBackup"}

SCENARIOS: dict[str, tuple[Scenario, tuple[str, ...], tuple[str, ...]]] = {
    # name: (scenario, kinds, variants)
    "proxy 404 on read, refresh": (proxy_404, ALL, ("read",)),
    "proxy 404 on delete, destroy": (proxy_404, ALL, ("delete",)),
    "wrong base URL, refresh": (wrong_base, ALL, ("refresh",)),
    "wrong base URL, destroy": (wrong_base, ALL, ("destroy",)),
    "/auth/time 500, refresh and destroy": (auth_time, ("db", "snapshot"), ("refresh", "destroy")),
    "create acted, answer lost (500, dropped), up twice": (
        lost_create, ALL, ("lost-500", "lost-drop")
    ),
    "create answer names another object, up + destroy": (
        create_names_another, ("vpsbackup", "rdbbackup"), ("",)
    ),
    "read answer about another object, refresh": (read_about_another, ALL, ("",)),
    "VPS listing omits once / empty 200 / 204 / other server": (
        listing_lies, ("vpsbackup",), tuple(LISTINGS)
    ),
    "redirect on read (302) and on create (307)": (redirects, ALL, ("read", "create")),
    "malformed 2xx on create (truncated, empty, 204), up twice": (
        malformed_create, ALL, ("truncated", "empty", "204")
    ),
    "silent server, create within its deadline": (
        deadline, ("vpsbackup", "rdbbackup", "snapshot"), ("silent",)
    ),
    "trickling server, create within its deadline": (
        deadline, ("vpsbackup", "rdbbackup", "snapshot"), ("trickle:1",)
    ),
    "Date a year ahead / behind, Scaleway export": (export_date, ("rdbbackup",), ("+", "-")),
}  # fmt: skip


def run_scenarios(
    sandbox: Sandbox,
    provider_path: Path | None,
    names: Iterable[str] | None = None,
    only: Iterable[str] | None = None,
) -> dict[str, Tally]:
    """Scenario name -> its tally summed over its kinds and variants (each from a reset
    sandbox); ``only``: those kinds of :data:`TARGETS`."""
    found: dict[str, Tally] = {}
    for name in names or SCENARIOS:
        scenario, kinds, variants = SCENARIOS[name]
        total = Tally()
        for kind in (k for k in kinds if only is None or k in only):
            for variant in variants:
                sandbox.reset()
                sandbox.configure(task_seconds=0)
                with c.workdir() as directory:
                    try:
                        left = scenario(Trial(sandbox, directory, kind, provider_path), variant)
                        if not left.clean:
                            left.where[f"{kind} {variant}".strip()] = str(left)
                        total.add(left)
                    except Exception as err:  # a scenario that code cannot run: in the note
                        total.notes.append(f"{kind} {variant}: {type(err).__name__}: {err}"[:90])
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
    """One row per scenario, made as it is measured: this tree's tally (target: all 0) and,
    with ``before`` (a provider/ directory), that code's in the note."""
    rows = []
    with c.bench_sandbox(sandbox) as sb:
        for name in names or SCENARIOS:
            after = run_scenarios(sb, None, [name], only)[name]
            old = run_scenarios(sb, before, [name], only)[name] if before is not None else None
            notes = [f"before: {old}"] if old is not None else []
            notes += [*(old.notes if old else []), *after.notes]
            if after.where:
                notes.append("now: " + "; ".join(f"{k}: {v}" for k, v in after.where.items()))
            ok = after.clean and not after.notes
            rows.append(c.Row(name, str(after), "all 0", c.verdict(ok), "; ".join(notes)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also run the provider code of REV")
    parser.add_argument("--only", action="append", help="a kind of TARGETS (repeatable)")
    parser.add_argument("--scenario", action="append", help="a scenario name (repeatable)")
    options = parser.parse_args()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        before = stack.enter_context(revision(options.before)) if options.before else None
        stack.enter_context(c.streaming())
        measure(names=options.scenario, before=before, only=options.only)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
