"""Replacing a hosting database keeps its dumps and runs no restore again, as `pulumi up` runs.

The quickstart and the restore example, deployed against the sandbox, then given another
database `type` (protection off, same user: the engine replaces the database
delete-before-replace and first asks each dependent's Diff, its database inputs unknown,
whether it goes too). The preview shows the database alone replaced; `up` deletes the old
database only: its dump stays, in the stack and at OVHcloud (kept 30 days after the
deletion), refresh keeps it readable, and no restore runs again. A restore runs again when
the program asks for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from examples.test_examples import EXAMPLE_CASES, engine_for, settled_objects
from support import Engine, RunResult

from pulumi_backups.sandbox import Sandbox

RESTORE = EXAMPLE_CASES["restore"]
RESTORES = ("database-restore", "server-restore", "rdb-restore")
DUMP_RESTORE = "POST /1.0/hosting/web/{serviceName}/database/{name}/dump/{id}/restore"


def dumps(sandbox: Sandbox) -> dict[int, dict[str, Any]]:
    """The sandbox's hosting dumps by id."""
    objects = settled_objects(sandbox)
    found = [docs for kind, docs in objects.items() if kind.endswith("dump")]
    return {int(doc["id"]): doc for docs in found for doc in docs.values()}


def replace_database(engine: Engine, dump: str) -> tuple[RunResult, RunResult]:
    """Change the database's type; preview and up. Both must replace the database alone,
    delete-before-replace, and leave `dump` and everything else as it is."""
    engine.stack_config[f"{engine.project}:database_type"] = "mariadb"
    plan = engine.preview()
    result = engine.up()
    others = {name: "same" for name in result.ops if name != "app-db"}
    for run in (plan, result):
        assert run.ok, (run.errors, run.program_error)
        assert run.ops == {"app-db": "replace", **others}
        assert run.step("app-db").delete_before_replace
        # asked as a dependent (its database's name unknown), then as registered (known)
        assert run.step(dump).calls == ["Diff", "Check", "Diff"]
    assert [name for method, name in result.calls if method == "Delete"] == ["app-db"]
    assert result.calls_for("app-db") == ["Check", "Diff", "Check", "Delete", "Create"]
    return plan, result


def test_the_quickstart_keeps_its_dump_when_the_database_is_replaced(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    engine = engine_for(EXAMPLE_CASES["quickstart"], sandbox, tmp_path / "state.json")
    first = engine.up().outputs
    before = engine.resource("predeploy-dump")

    replace_database(engine, "predeploy-dump")

    kept = dumps(sandbox)[first["dump_id"]]
    assert kept["orphan"] is True and kept["status"] == "created"
    assert engine.resource("predeploy-dump") == before
    assert engine.resource("app-db").plain_outputs()["type"] == "mariadb"

    refreshed = engine.refresh()
    assert refreshed.ops["predeploy-dump"] == "same"  # read through the service's route
    assert engine.resource("predeploy-dump").id == before.id
    assert first["dump_id"] in dumps(sandbox)

    engine.destroy()  # the program asks now: the dump of the old database goes too
    assert dumps(sandbox) == {}


def test_no_restore_runs_again_when_the_database_is_replaced(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    engine = engine_for(RESTORE, sandbox, tmp_path / "state.json")
    first = engine.up()
    assert first.ops == dict.fromkeys(RESTORE.resources, "create")
    restored = engine.resource("database-restore")
    sandbox.clear_counters()

    replace_database(engine, "restore-point")

    assert DUMP_RESTORE not in sandbox.counters()
    assert engine.resource("database-restore") == restored
    assert dumps(sandbox)[first.outputs["restored_dump"]]["orphan"] is True
    engine.destroy()


def test_a_restore_runs_again_when_the_program_asks(sandbox: Sandbox, tmp_path: Path) -> None:
    engine = engine_for(RESTORE, sandbox, tmp_path / "state.json")
    engine.up()
    assert set(engine.up().ops.values()) == {"same"}  # a deploy alone restores nothing
    sandbox.clear_counters()

    engine.stack_config[f"{engine.project}:restore_round"] = "2"
    plan = engine.preview()
    result = engine.up()

    replaced = dict.fromkeys(RESTORES, "replace")
    kept = {name: "same" for name in RESTORE.resources if name not in RESTORES}
    assert plan.ops == result.ops == {**replaced, **kept}
    assert all(plan.step(name).replaces == ["triggers"] for name in RESTORES)
    assert sandbox.counters()[DUMP_RESTORE] == 1
    engine.destroy()
