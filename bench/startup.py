"""Start-up: import time, provider host spawn to first answered Check, ``__provider`` size.

- ``import pulumi_backups``: the package's cumulative time in ``python -X importtime``
  (best of 3). Target <= 0.3 s. Classes load on first use; the time to also get each class
  (and the Pulumi SDK, httpx or python-ovh it needs) is shown beside it, without target.
- Host spawn to first Check: from starting ``python -m pulumi.dynamic`` (as the engine
  does) through Configure to the answer of the first Check of one resource of each class,
  which unpickles its provider and imports its module. Target <= 1 s.
- ``__provider``: the length of the serialized provider each resource stores in its inputs
  (base64 text; it pickles the class by reference, so it stays small and stable).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterable
from typing import Any

import _common as c
from support import reveal

from pulumi_backups.sandbox import Sandbox

IMPORT_TARGET = 0.3
SPAWN_TARGET = 1.0
CLASSES = (
    "HostingDatabase", "HostingDatabaseDump", "HostingDatabaseRestore", "NashaSnapshotPolicy",
    "NashaCustomSnapshot", "VpsBackup", "VpsRestore", "RdbBackup", "RdbBackupRestore",
)  # fmt: skip


def import_seconds(statement: str, tries: int = 3) -> float:
    """Best cumulative import time of the top-level imports ``statement`` makes, from the
    first ``pulumi_backups`` line of ``-X importtime`` on (what the interpreter imports at
    start-up is left out)."""
    best = float("inf")
    for _ in range(tries):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", statement],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        total, counting = 0, False
        for line in done.stderr.splitlines():
            parts = line.split("|")
            if len(parts) != 3 or not parts[1].strip().isdigit():
                continue
            name = parts[2].rstrip()
            counting = counting or name.strip().startswith("pulumi_backups")
            if counting and not name.startswith("  "):  # top level: one space after "|"
                total += int(parts[1])
        best = min(best, total / 1e6)
    return best


def _one_of_each() -> None:
    """One resource of each class, with literal inputs (nothing unknown to Check)."""
    import pulumi_backups as pb

    service, partition = c.NASHA
    pb.HostingDatabase(
        "HostingDatabase", service_name=c.SERVICE, user=c.DB_USER, type="mysql",
        capability="sqlPerso",
    )  # fmt: skip
    pb.HostingDatabaseDump("HostingDatabaseDump", service_name=c.SERVICE, database_name=c.DB_NAME)
    pb.HostingDatabaseRestore(
        "HostingDatabaseRestore", service_name=c.SERVICE, database_name=c.DB_NAME, dump_id=1
    )
    pb.NashaSnapshotPolicy(
        "NashaSnapshotPolicy", service_name=service, partition_name=partition,
        frequencies=["day-1"],
    )  # fmt: skip
    pb.NashaCustomSnapshot(
        "NashaCustomSnapshot", service_name=service, partition_name=partition, name="n"
    )
    pb.VpsBackup("VpsBackup", server_id=c.SERVER)
    pb.VpsRestore("VpsRestore", server_id=c.SERVER, backup_id=501)
    pb.RdbBackup("RdbBackup", instance_id=c.INSTANCE, database_name="app")
    pb.RdbBackupRestore(
        "RdbBackupRestore", backup_id=f"fr-par/{c.INSTANCE}", instance_id=c.INSTANCE
    )


def spawn_to_check(sandbox: Sandbox, goal: Any) -> float:
    """Seconds from spawning a host to the answer of its first Check (``goal``'s)."""
    started = time.perf_counter()
    with c.host(sandbox) as provider:
        response = provider.process.check(goal.urn, {}, goal.inputs)
        took = time.perf_counter() - started
    if response.failures:
        raise RuntimeError(f"{goal.name}: check failed: {response.failures}")
    return took


def measure(sandbox: Sandbox | None = None, classes: Iterable[str] = CLASSES) -> list[c.Row]:
    """Rows: import time, then per class its spawn-to-Check time and ``__provider`` size."""
    plain = import_seconds("import pulumi_backups")
    rows = [
        c.Row(
            "import pulumi_backups",
            f"{plain:.3f} s",
            f"<= {IMPORT_TARGET} s",
            c.verdict(plain <= IMPORT_TARGET),
            "python -X importtime, cumulative, best of 3",
        )
    ]
    wanted = set(classes)
    with c.bench_sandbox(sandbox) as sb:
        for goal in c.goals(sb, _one_of_each):
            if goal.name not in wanted:
                continue
            with_class = import_seconds(f"from pulumi_backups import {goal.name}", tries=1)
            spawn = spawn_to_check(sb, goal)
            size = len(reveal(goal.inputs["__provider"]))  # the SDK sends it as a secret
            rows.append(
                c.Row(
                    f"host spawn to first Check, {goal.name}",
                    f"{spawn:.2f} s",
                    f"<= {SPAWN_TARGET:g} s",
                    c.verdict(spawn <= SPAWN_TARGET),
                    f"__provider {size} chars; importing the class: {with_class:.2f} s",
                )
            )
    return rows


if __name__ == "__main__":
    c.main(measure)
