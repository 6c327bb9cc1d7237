"""HTTP requests per create / read / delete of each resource, with the reason for each call.

Operations are instant (D = 0), so every wait is a single poll: what is counted is the
structure of each operation. At D > 0 a wait adds the polls of its schedule (see
wait_overhead.py: about 6 at 1 s, 16 at 3 s, 32 at 10 s, 46 at 30 s).

For each resource: ``up`` of the resources it needs, then ``up`` again with it added (the
others are unchanged: Check and Diff, no request), which counts its create; then its read
(as a refresh sends it) and its delete, each through a provider host. ``GET /1.0/auth/time``
is counted apart: python-ovh reads the server clock once per client, so once per provider
host process and not per operation. A call no reason below explains is a MISS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import _common as c

from pulumi_backups.sandbox import Sandbox

AUTH_TIME = "GET /1.0/auth/time"
SLOW = 1.0
_H = "/1.0/hosting/web/{serviceName}"
_DB = f"{_H}/database/{{name}}"
_P = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
_RDB = "/rdb/v1/regions/{region}/backups"
_TASK = f"GET {_H}/tasks/{{id}}"
_NTASK = "GET /1.0/dedicated/nasha/{serviceName}/task/{taskId}"

REASONS: dict[str, dict[str, str]] = {
    "create": {
        f"POST {_H}/database": "start the creation (answers a task, not the name)",
        f"GET {_H}/database": "list ?user=: before, refuse (or adopt) an existing database; "
        "after the task, find the new one's name (the task does not give it)",
        f"GET {_DB}": "read the database for the outputs",
        f"POST {_DB}/dump": "start the dump (answers a task)",
        f"GET {_DB}/dump": "find the dump the task made: ids created since the task started",
        f"GET {_DB}/dump/{{id}}": "read dumps, newest first, until one carries the task's id",
        f"POST {_DB}/dump/{{id}}/restore": "start the restore (answers a task)",
        f"POST {_DB}/restore": "start the restore of an automatic backup (answers a task)",
        _TASK: "poll the task until done",
        _NTASK: "poll the task until done",
        f"GET {_P}/snapshot": "before: record the schedule (restored on delete); after: read it "
        "for the outputs",
        f"POST {_P}/snapshot": "add each missing frequency (one task each)",
        f"DELETE {_P}/snapshot/{{snapshotType}}": "remove each unwanted frequency (one task each)",
        f"GET {_P}/customSnapshot": "find the record of the schedule of before (a policy "
        "created again takes it)",
        f"POST {_P}/customSnapshot": "start the snapshot (answers a task); a policy: record "
        "the schedule of before, ahead of any change",
        f"GET {_P}/customSnapshot/{{name}}": "before: refuse a snapshot of that name outside of "
        "the state (so that a lost answer's snapshot is told apart); after: read it for the "
        "outputs",
        "POST /api/v1/backups/": "start the backup (201, in_progress)",
        "GET /api/v1/backups/": "before: the ids that exist already (an answer naming one is "
        "another backup); then poll: list the server's backups (no detail route documented)",
        "POST /api/v1/servers/{server_id}/restore/": "start the restore (202)",
        "GET /api/v1/servers/{server_id}/": "poll the server until it is running again",
        f"POST {_RDB}": "start the backup (creating)",
        f"GET {_RDB}/{{backup_id}}": "poll the backup until ready",
        f"POST {_RDB}/{{backup_id}}/restore": "start the restore (restoring)",
    },
    "read": {
        f"GET {_DB}": "read the database (for a restore: is the database it went into there?)",
        f"GET {_DB}/dump/{{id}}": "read the dump",
        f"GET {_P}/snapshot": "read the scheduled frequencies",
        f"GET {_P}/customSnapshot/{{name}}": "read the snapshot",
        "GET /api/v1/backups/": "list the server's backups (no detail route documented)",
        f"GET {_RDB}/{{backup_id}}": "read the backup",
    },
    "delete": {
        f"DELETE {_DB}": "start the deletion (answers a task)",
        f"DELETE {_DB}/dump/{{id}}": "start the deletion (answers a task)",
        _TASK: "poll the task until done",
        _NTASK: "poll the task until done",
        f"GET {_P}/snapshot": "the frequencies scheduled now",
        f"POST {_P}/snapshot": "put back each initial frequency (one task each)",
        f"DELETE {_P}/snapshot/{{snapshotType}}": "remove each added frequency (one task each)",
        f"GET {_P}/customSnapshot": "find the record of the schedule to restore",
        f"DELETE {_P}/customSnapshot/{{name}}": "start the deletion (answers a task); a policy: "
        "drop its record once the schedule is restored",
        "GET /api/v1/backups/": "is the backup its server's? (delete agrees with read)",
        "DELETE /api/v1/backups/{backup_id}/": "delete (204)",
        f"DELETE {_RDB}/{{backup_id}}": "start the deletion (deleting)",
        f"GET {_RDB}/{{backup_id}}": "poll until 404",
    },
}


@dataclass(frozen=True)
class Case:
    """A resource to count (the last one ``declare`` makes) and what it needs first."""

    name: str
    declare: Callable[[bool], None]  # declare(with_target)


def _database() -> Any:
    from pulumi_backups import HostingDatabase

    return HostingDatabase(
        "db", service_name=c.SERVICE, user=c.DB_USER, type="mysql", capability="sqlPerso",
        deletion_protection=False,
    )  # fmt: skip


def _hosting(target: str) -> Callable[[bool], None]:
    def declare(with_target: bool) -> None:
        from pulumi_backups import HostingDatabaseDump, HostingDatabaseRestore

        if target == "HostingDatabase":
            if with_target:
                _database()
            return
        db = _database()
        if target == "HostingDatabaseDump" and not with_target:
            return
        dump = HostingDatabaseDump("dump", service_name=c.SERVICE, database_name=db.name)
        if target == "HostingDatabaseRestore" and with_target:
            HostingDatabaseRestore(
                "target", service_name=c.SERVICE, database_name=db.name, dump_id=dump.dump_id
            )

    return declare


def _single(make: Callable[[], Any]) -> Callable[[bool], None]:
    def declare(with_target: bool) -> None:
        if with_target:
            make()

    return declare


def _vps_restore(with_target: bool) -> None:
    from pulumi_backups import VpsBackup, VpsRestore

    backup = VpsBackup("backup", server_id=c.SERVER)
    if with_target:
        VpsRestore("target", server_id=c.SERVER, backup_id=backup.backup_id)


def _rdb_restore(with_target: bool) -> None:
    from pulumi_backups import RdbBackup, RdbBackupRestore

    backup = RdbBackup("backup", instance_id=c.INSTANCE, database_name="app")
    if with_target:
        RdbBackupRestore(
            "target", backup_id=backup.id, instance_id=c.INSTANCE, database_name="app_restore"
        )


def _policy() -> Any:
    from pulumi_backups import NashaSnapshotPolicy

    service, partition = c.NASHA
    return NashaSnapshotPolicy(
        "target", service_name=service, partition_name=partition, frequencies=["day-1", "hour-6"]
    )


def _cases() -> list[Case]:
    kinds = {k.name: k for k in c.BACKUP_KINDS}
    return [
        Case("HostingDatabase", _hosting("HostingDatabase")),
        Case("HostingDatabaseDump", _hosting("HostingDatabaseDump")),
        Case("HostingDatabaseRestore", _hosting("HostingDatabaseRestore")),
        Case("NashaSnapshotPolicy", _single(_policy)),
        Case(
            "NashaCustomSnapshot", _single(lambda: kinds["NashaCustomSnapshot"].make("target", 0))
        ),
        Case("VpsBackup", _single(lambda: kinds["VpsBackup"].make("target", 0))),
        Case("VpsRestore", _vps_restore),
        Case("RdbBackup", _single(lambda: kinds["RdbBackup"].make("target", 0))),
        Case("RdbBackupRestore", _rdb_restore),
    ]


def _counted(sandbox: Sandbox, action: Callable[[], Any]) -> dict[str, int]:
    sandbox.clear_counters()
    action()
    return c.counters(sandbox)


Counts = dict[str, dict[str, int]]  # operation -> route -> requests


def _measure_case(sandbox: Sandbox, case: Case, seconds: float) -> Counts:
    """Requests per route of the create, read and delete of ``case``'s resource, when
    server-side operations take ``seconds`` (what it needs is made instantly)."""
    with c.workdir() as directory:
        before = c.engine(sandbox, lambda: case.declare(False), directory / "state.json")
        before.up()
        run = c.engine(sandbox, lambda: case.declare(True), directory / "state.json")
        sandbox.configure(task_seconds=seconds)
        counts = {"create": _counted(sandbox, run.up)}
        target = run.state[-1]  # dependency order: what the case adds comes last
        with c.host(sandbox) as provider:
            counts["read"] = _counted(sandbox, lambda: provider.read(target))
            counts["delete"] = _counted(sandbox, lambda: provider.delete(target))
    sandbox.reset()
    sandbox.configure(task_seconds=0)
    return counts


def _reason(op: str, route: str) -> str:
    return f"{route}: {REASONS[op].get(route, '?')}"


def _rows(name: str, instant: Counts, slow: Counts, seconds: float) -> list[c.Row]:
    rows = []
    for op in ("create", "read", "delete"):
        routes = dict.fromkeys([*instant[op], *slow[op]])
        routes.pop(AUTH_TIME, None)
        unexplained = [r for r in routes if r not in REASONS[op]]

        def total(counts: Counts) -> int:
            return sum(n for r, n in counts[op].items() if r != AUTH_TIME)  # noqa: B023

        rows.append(
            c.Row(
                f"requests {name} {op}",
                f"{total(instant)} / {total(slow)}",
                "each needed",
                c.verdict(not unexplained),
                f"unexplained: {', '.join(unexplained)}" if unexplained else "",
            )
        )
        rows += [
            c.Row("", f"{instant[op].get(r, 0)} / {slow[op].get(r, 0)}", note=_reason(op, r))
            for r in routes
        ]
    return rows


def measure(
    sandbox: Sandbox | None = None,
    resources: Iterable[str] | None = None,
    seconds: float = SLOW,
) -> list[c.Row]:
    """Per resource and operation: requests when operations are instant / take ``seconds``;
    below, the same per route with its reason."""
    wanted = set(resources) if resources is not None else None
    rows = [
        c.Row(
            f"requests at D=0 / D={seconds:g} s",
            "",
            note="the difference is polls; OVH tasks answered done at once are not polled",
        )
    ]
    with c.bench_sandbox(sandbox) as sb:
        for case in _cases():
            if wanted is None or case.name in wanted:
                instant = _measure_case(sb, case, 0)
                rows += _rows(case.name, instant, _measure_case(sb, case, seconds), seconds)
    rows.append(
        c.Row(
            "requests per provider host",
            "1",
            note=f"{AUTH_TIME}: before the first OVHcloud call, python-ovh reads the server "
            "clock to sign (not counted above)",
        )
    )
    return rows


if __name__ == "__main__":
    c.main(measure)
