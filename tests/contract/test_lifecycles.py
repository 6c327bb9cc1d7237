"""Every resource's whole lifecycle through the real provider host against the sandbox, each
request and answer recorded on the sandbox's side and checked against the published API
descriptions (tests/fixtures/specs): requests against their operation, answers against
their model. Then the same checks are shown to catch a wrong answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from support import Engine

from contract.conftest import ovh_problems, scaleway_problems
from contract.ovh_spec import OvhSpec
from contract.recorder import Exchange, RecordingSandbox
from contract.scaleway_spec import ScalewaySpec
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.client import OvhClient, clients
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.models import HostingTask
from pulumi_backups.ovh.orphans import get_orphan_dumps
from pulumi_backups.ovh.waiters import wait_hosting

PROGRAMS = Path(__file__).resolve().parents[1] / "programs"
SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxapp.mysql.db"
CREATE_DB = {"user": "sandboxapp", "type": "mysql", "capabilitie": "sqlPerso"}
CREATE_BACKUP = {
    "instance_id": "11111111-1111-1111-1111-111111111111",
    "database_name": "app",
    "name": "contract",
}


def engine(sandbox: RecordingSandbox, tmp_path: Path, program: str, **config: Any) -> Engine:
    run = Engine(PROGRAMS / program, tmp_path / f"{program}.json", sandbox.handle.stack_config())
    return run.configure(**config)


def changed(**fields: Any) -> Any:
    """An answer patch setting `fields`."""
    return lambda body: {**body, **fields}


def without(key: str) -> Any:
    """An answer patch dropping `key`."""
    return lambda body: {k: v for k, v in body.items() if k != key}


def assert_conform(problems: list[str]) -> None:
    assert not problems, "\n".join(sorted(set(problems)))


def routes(exchanges: list[Exchange]) -> set[str]:
    return {f"{ex.method} {ex.path}" for ex in exchanges}


def hosting_lifecycle(sandbox: RecordingSandbox, tmp_path: Path) -> list[Exchange]:
    """HostingDatabase, HostingDatabaseDump, HostingDatabaseRestore: create, update,
    refresh, delete; then the dump of a deleted database recovered with get_orphan_dumps."""
    run = engine(
        sandbox, tmp_path, "hosting_database",
        password="f1rstPassword", dumps=1, restore=True, deletion_protection=False,
    )  # fmt: skip
    run.up()
    run.configure(password="s3condPassword", restore_triggers=[2])
    run.up()
    run.refresh()
    run.destroy()

    kept = engine(sandbox, tmp_path, "hosting_database", dumps=1, deletion_protection=False)
    kept.up()
    api = HostingApi(OvhClient(sandbox.handle.ovh_settings()), SN)
    wait_hosting(api, api.delete_database(DB), WaitPolicy(timeout=5))
    kept.refresh()
    with clients.substitute(api.client):
        assert get_orphan_dumps(SN, DB)
    return sandbox.recorder.take()


def nasha_lifecycle(sandbox: RecordingSandbox, tmp_path: Path) -> list[Exchange]:
    """NashaSnapshotPolicy and NashaCustomSnapshot: create, update, refresh, delete."""
    policy = engine(sandbox, tmp_path, "nasha_policy", frequencies=["hour-6", "day-1"])
    policy.up()
    policy.configure(frequencies=["day-1", "day-7"])
    policy.up()
    policy.refresh()
    policy.destroy()
    snapshot = engine(sandbox, tmp_path, "nasha_snapshot", name="nightly", expiration="2032-06-24")
    snapshot.up()
    snapshot.refresh()
    snapshot.destroy()
    return sandbox.recorder.take()


def rdb_lifecycle(sandbox: RecordingSandbox, tmp_path: Path) -> list[Exchange]:
    """RdbBackup (exported) and RdbBackupRestore: create, update, refresh, delete."""
    run = engine(sandbox, tmp_path, "rdb_backup", export=True, restore=True, name="nightly")
    run.up()
    run.configure(name="renamed", expires_at="2032-06-30T00:00:00Z")
    run.up()
    run.refresh()
    run.destroy()
    return sandbox.recorder.take()


def test_ovh_hosting_exchanges_conform(
    recording: RecordingSandbox, tmp_path: Path, ovh_specs: dict[str, OvhSpec]
) -> None:
    exchanges = hosting_lifecycle(recording, tmp_path)
    assert {"POST", "GET", "DELETE"} <= {ex.method for ex in exchanges}
    assert any(ex.path.endswith("/restore") for ex in exchanges)
    assert any(ex.query.get("orphan") == "true" for ex in exchanges)
    assert_conform(ovh_problems(exchanges, ovh_specs))


def test_ovh_nasha_exchanges_conform(
    recording: RecordingSandbox, tmp_path: Path, ovh_specs: dict[str, OvhSpec]
) -> None:
    exchanges = nasha_lifecycle(recording, tmp_path)
    assert any("/customSnapshot" in ex.path and ex.method == "DELETE" for ex in exchanges)
    assert any(ex.path.endswith("/snapshot") and ex.method == "POST" for ex in exchanges)
    assert_conform(ovh_problems(exchanges, ovh_specs))


def test_scaleway_exchanges_conform(
    recording: RecordingSandbox, tmp_path: Path, scaleway_spec: ScalewaySpec
) -> None:
    exchanges = rdb_lifecycle(recording, tmp_path)
    paths = routes(exchanges)
    assert any(p.endswith("/export") for p in paths) and any(p.endswith("/restore") for p in paths)
    assert any(ex.method == "PATCH" for ex in exchanges)
    assert_conform(scaleway_problems(exchanges, scaleway_spec))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (changed(versionLabel="8.0"), "'versionLabel' is not a property"),
        (changed(port="3306"), ".port: '3306' is not a long"),
        (changed(state="healthy"), "'healthy' is not in hosting.web.database.StateEnum"),
        (changed(lastCheck="2032-06-30"), ".lastCheck: '2032-06-30' is not a datetime"),
        (without("mode"), "non-null hosting.web.database.mode is missing"),
    ],
)  # fmt: skip
def test_a_wrong_ovh_answer_is_caught(
    recording: RecordingSandbox, ovh_specs: dict[str, OvhSpec], change: Any, expected: str
) -> None:
    def patch(method: str, path: str, body: Any) -> Any:
        return change(body) if method == "GET" and path.endswith(f"/database/{DB}") else body

    api = HostingApi(OvhClient(recording.handle.ovh_settings()), SN)
    wait_hosting(api, api.create_database(CREATE_DB), WaitPolicy(timeout=5))
    client = api.client
    client.get(f"/hosting/web/{SN}/database/{DB}")
    assert_conform(ovh_problems(recording.recorder.take(), ovh_specs))

    recording.recorder.answer_patch = patch
    client.get(f"/hosting/web/{SN}/database/{DB}")
    problems = ovh_problems(recording.recorder.take(), ovh_specs)
    assert problems and all(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (changed(backup_kind="full"), "'backup_kind' was unexpected"),
        (changed(size="12"), "answer.size: '12' is not of type"),
        (changed(status="done"), "answer.status: 'done' is not one of"),
        (changed(created_at="2032-06-30 00:00"), "is not a 'date-time'"),
        (changed(region=None), "answer.region: None is not of type"),
        (without("instance_name"), "'instance_name' is a required property"),
    ],
)  # fmt: skip
def test_a_wrong_scaleway_answer_is_caught(
    recording: RecordingSandbox, scaleway_spec: ScalewaySpec, change: Any, expected: str
) -> None:
    def patch(method: str, path: str, body: Any) -> Any:
        return change(body) if method == "GET" and "/backups/" in path else body

    env = recording.handle.env()
    with httpx.Client(base_url=f"{env['SCW_API_URL']}/rdb/v1/regions/{env['SCW_DEFAULT_REGION']}",
                      headers={"X-Auth-Token": env["SCW_SECRET_KEY"]}) as http:  # fmt: skip
        created = http.post("/backups", json=CREATE_BACKUP).raise_for_status().json()
        http.get(f"/backups/{created['id']}").raise_for_status()
        assert_conform(scaleway_problems(recording.recorder.take(), scaleway_spec))

        recording.recorder.answer_patch = patch
        http.get(f"/backups/{created['id']}").raise_for_status()
    problems = scaleway_problems(recording.recorder.take(), scaleway_spec)
    assert problems and all(expected in p for p in problems), problems


def test_every_sandbox_ovh_read_conforms(
    recording: RecordingSandbox, tmp_path: Path, ovh_specs: dict[str, OvhSpec]
) -> None:
    """Every OVHcloud read route the sandbox serves, including those the provider never
    calls, answers in its model (a database of each engine, a dump, a custom snapshot)."""
    client = OvhClient(recording.handle.ovh_settings())
    api = HostingApi(client, SN)
    for kind in ("mysql", "postgresql"):
        client.get(f"/hosting/web/{SN}/databaseAvailableVersion", type=kind)
    web, nas = f"/hosting/web/{SN}", "/dedicated/nasha/zpool-000000"
    part = f"{nas}/partition/backups"
    created = api.create_database(
        {"user": "sandboxpg", "type": "postgresql", "capabilitie": "sqlPerso"}
    )
    client.get(f"{web}/tasks/{created.id}")
    wait_hosting(api, created, WaitPolicy(timeout=5))
    dumped = HostingTask.from_api(
        client.post(f"{web}/database/sandboxpg.mysql.db/dump", date="now")
    )
    wait_hosting(api, dumped, WaitPolicy(timeout=5))
    (dump_id,) = client.get(f"{web}/database/sandboxpg.mysql.db/dump")
    task = client.post(f"{part}/customSnapshot", name="sweep")
    reads = [
        "/hosting/web", web, f"{web}/database", f"{web}/database/sandboxpg.mysql.db",
        f"{web}/database/sandboxpg.mysql.db/dump/{dump_id}", f"{web}/dump", f"{web}/dump/{dump_id}",
        "/dedicated/nasha", nas, f"{nas}/partition", part, f"{part}/snapshot",
        f"{part}/snapshot/day-1", f"{part}/customSnapshot", f"{part}/customSnapshot/sweep",
        f"{nas}/task/{task['taskId']}",
    ]  # fmt: skip
    for path in reads:
        client.get(path)
    recording.handle.script("hosting:database/delete", "fail")
    failed = api.delete_database("sandboxpg.mysql.db")
    assert client.get(f"{web}/tasks/{failed.id}")["status"] == "cancelled"
    assert_conform(ovh_problems(recording.recorder.take(), ovh_specs))
