"""Web-hosting resources through the real provider host against the sandbox: preview, up,
refresh, destroy, with the mutating API calls counted per route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import DeploymentError, Engine, sandbox_engine
from support.fakes import mutations

from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.client import OvhClient, clients
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.orphans import get_orphan_dumps
from pulumi_backups.ovh.settings import OvhSettings
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import CREDENTIALS, Sandbox

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "hosting_database"
SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxapp.mysql.db"
WEB = "/1.0/hosting/web/{serviceName}"
CREATE_DB = f"POST {WEB}/database"
DELETE_DB = f"DELETE {WEB}/database/{{name}}"
PASSWORD = f"POST {WEB}/database/{{name}}/changePassword"
DUMP = f"POST {WEB}/database/{{name}}/dump"
DELETE_DUMP = f"DELETE {WEB}/database/{{name}}/dump/{{id}}"
RESTORE = f"POST {WEB}/database/{{name}}/dump/{{id}}/restore"
FAST = WaitPolicy(timeout=5)


def hosting(sandbox: Sandbox) -> HostingApi:
    """The API as an operator acting out of band sees it (a fresh client: python-ovh learns
    the server time once)."""
    settings = OvhSettings(
        endpoint=f"{sandbox.url}/1.0",
        application_key=CREDENTIALS["OVH_APPLICATION_KEY"],
        application_secret=CREDENTIALS["OVH_APPLICATION_SECRET"],
        consumer_key=CREDENTIALS["OVH_CONSUMER_KEY"],
    )
    return HostingApi(OvhClient(settings), SN)


def stored(sandbox: Sandbox, kind: str) -> dict[str, Any]:
    """What the sandbox holds, once every finished task took effect (on the next request)."""
    hosting(sandbox).database_names()
    return sandbox.objects().get(f"ovh:hosting:{kind}", {})


def engine(sandbox: Sandbox, tmp_path: Path, **config: Any) -> Engine:
    return sandbox_engine(
        sandbox, PROGRAM, tmp_path, secret_keys=["hosting-database:password"], **config
    )


def test_database_lifecycle(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, password="f1rstPassword")
    sandbox.clear_counters()
    assert run.preview().op("db") == "create"
    assert sandbox.counters() == {}  # a preview makes no HTTP call at all

    result = run.up()
    assert result.op("db") == "create" and result.outputs["db_name"] == DB
    assert mutations(sandbox) == {CREATE_DB: 1}
    assert run.resource("db").id == f"{SN}/{DB}"
    assert "password" in run.resource("db").secret_outputs
    assert "f1rstPassword" not in (tmp_path / "state.json").read_text()

    run.configure(password="s3condPassword")
    assert run.preview().op("db") == "update"
    assert run.up().op("db") == "update"
    assert mutations(sandbox) == {PASSWORD: 1}
    assert stored(sandbox, "database")[f"{SN}/{DB}"]["password"] == "s3condPassword"

    run.configure(type="mariadb")  # would replace a protected database
    plan = run.preview()
    assert "deletion_protection" in plan.errors["db"] and "type" in plan.errors["db"]
    with pytest.raises(DeploymentError, match="set deletion_protection to false"):
        run.up()
    assert mutations(sandbox) == {}
    assert stored(sandbox, "database")[f"{SN}/{DB}"]["type"] == "mysql"

    run.configure(type=None, deletion_protection=False)
    assert run.up().op("db") == "update"
    assert mutations(sandbox) == {}

    run.configure(type="mariadb")
    assert run.preview().op("db") == "replace"
    result = run.up()
    assert result.op("db") == "replace" and result.step("db").delete_before_replace
    assert mutations(sandbox) == {DELETE_DB: 1, CREATE_DB: 1}
    assert stored(sandbox, "database")[f"{SN}/{DB}"]["type"] == "mariadb"
    assert [r.name for r in run.state] == ["db"]

    run.configure(deletion_protection=True)
    run.up()
    with pytest.raises(DeploymentError, match="deletion_protection is on"):
        run.destroy()
    assert stored(sandbox, "database") != {} and [r.name for r in run.state] == ["db"]
    run.configure(deletion_protection=False)
    run.up()
    run.destroy()
    assert stored(sandbox, "database") == {} and run.state == []


def test_refresh_after_out_of_band_deletion_keeps_the_dump(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path, dumps=1)
    result = run.up()
    (dump_id,) = result.outputs["dump_ids"]
    assert "url" in run.resource("dump0").secret_outputs
    api = hosting(sandbox)
    wait_hosting(api, api.delete_database(DB), FAST)

    refreshed = run.refresh()
    # The database is gone; its dump is kept 30 days at service level, and read there.
    assert refreshed.op("db") == "delete" and refreshed.op("dump0") == "same"
    assert [res.name for res in run.state] == ["dump0"]
    with clients.substitute(api.client):
        orphans = get_orphan_dumps(SN, DB)
    assert [d.id for d in orphans] == [dump_id] and orphans[0].url


def test_four_dumps_created_at_once_each_get_their_own(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, dumps=4, deletion_protection=False, dump_triggers=["v1"])
    sandbox.clear_counters()
    plan = run.preview()  # the database's name is unknown yet: the dumps still check
    assert set(plan.ops.values()) == {"create"} and len(plan.ops) == 5 and not plan.errors
    assert sandbox.counters() == {}
    result = run.up()
    ids = result.outputs["dump_ids"]
    assert len(set(ids)) == 4 and result.max_in_flight > 1
    assert sorted(ids) == sorted(hosting(sandbox).dump_ids(DB))
    assert len({doc["taskId"] for doc in stored(sandbox, "dump").values()}) == 4
    mutations(sandbox)

    run.configure(dump_triggers=["v2"])  # a new dump each, before each deploy
    result = run.up()
    assert sorted(result.names("replace")) == ["dump0", "dump1", "dump2", "dump3"]
    assert mutations(sandbox) == {DUMP: 4, DELETE_DUMP: 4}
    assert sorted(result.outputs["dump_ids"]) == sorted(hosting(sandbox).dump_ids(DB))
    assert not set(ids) & set(result.outputs["dump_ids"])

    run.destroy()
    assert stored(sandbox, "dump") == {} and stored(sandbox, "database") == {}


def test_restore_and_restore_again(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(
        sandbox, tmp_path, dumps=1, restore=True, restore_triggers=[1], deletion_protection=False
    )
    result = run.up()
    assert result.op("restore") == "create"
    assert (
        result.outputs["restore_id"]
        == f"{SN}/{DB}/restore/{int(result.outputs['restore_task_id'])}"
    )
    mutations(sandbox)

    run.configure(restore_triggers=[2])
    assert run.up().op("restore") == "replace"
    assert mutations(sandbox) == {RESTORE: 1}

    run.configure(restore=None)
    assert run.up().op("restore") == "delete"
    assert mutations(sandbox) == {}  # a restore cannot be undone: forgetting it is all
    run.destroy()


def test_a_cancelled_task_is_a_failure_named_with_its_status(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A failed hosting task ends `cancelled` (the API's StatusEnum has no `error`): the
    provider fails at once, names the task and its status, and keeps nothing."""
    run = engine(sandbox, tmp_path, timeouts={"create": 20})
    sandbox.script("hosting:database/create", "fail")
    with pytest.raises(DeploymentError) as caught:
        run.up()
    assert "database/create #" in caught.value.errors["db"]
    assert (
        "'cancelled'" in caught.value.errors["db"] and "timed out" not in caught.value.errors["db"]
    )
    assert run.state == [] and stored(sandbox, "database") == {}


def test_failed_tasks_leave_nothing_unknown_behind(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, dumps=1, deletion_protection=False)
    sandbox.script("hosting:database/create", "fail")
    with pytest.raises(DeploymentError) as caught:
        run.up()
    assert "database/create #" in caught.value.errors["db"]
    assert run.state == [] and stored(sandbox, "database") == {}

    sandbox.script("hosting:dump/create", "fail")
    with pytest.raises(DeploymentError) as caught:
        run.up()
    assert "dump/create #" in caught.value.errors["dump0"]
    assert [r.name for r in run.state] == ["db"] and stored(sandbox, "dump") == {}

    run.up()  # the next run makes the dump
    assert [r.name for r in run.state] == ["db", "dump0"]
    run.destroy()


def test_a_dump_that_never_ends_times_out(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, dumps=1, dump_timeouts={"create": 1})
    sandbox.script("hosting:dump/create", "hang")
    with pytest.raises(DeploymentError) as caught:
        run.up()
    message = caught.value.errors["dump0"]
    assert "timed out after 1 s" in message and "dump/create #" in message
    assert [r.name for r in run.state] == ["db"] and stored(sandbox, "dump") == {}


def test_5xx_and_429_bursts_are_retried(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, dumps=2, deletion_protection=False)
    sandbox.configure(error_rate=0.1, ratelimit_rate=0.1)
    result = run.up()
    assert len(set(result.outputs["dump_ids"])) == 2
    run.destroy()
    sandbox.configure(error_rate=0.0, ratelimit_rate=0.0)
    assert stored(sandbox, "dump") == {} and stored(sandbox, "database") == {}
