"""RdbBackup and RdbBackupRestore through the real provider host against the sandbox: preview,
create, rename and expiry in place, export, refresh after out-of-band deletion, destroy,
restore into a second database, rate-limit bursts and a backup stuck in `creating`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import DeploymentError, Engine, is_secret, sandbox_engine
from support.fakes import mutations

from pulumi_backups.sandbox import CREDENTIALS, Sandbox, SandboxSettings
from pulumi_backups.scaleway.client import RdbClient
from pulumi_backups.scaleway.settings import ScalewaySettings

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "rdb_backup"
INSTANCE = "11111111-1111-1111-1111-111111111111"
BACKUPS = "/rdb/v1/regions/{region}/backups"
CREATE = f"POST {BACKUPS}"
PATCH = f"PATCH {BACKUPS}/{{backup_id}}"
DELETE = f"DELETE {BACKUPS}/{{backup_id}}"
EXPORT = f"POST {BACKUPS}/{{backup_id}}/export"
RESTORE = f"POST {BACKUPS}/{{backup_id}}/restore"


@pytest.fixture
def rdb(sandbox: Sandbox) -> Iterator[RdbClient]:
    """The API as an operator acting out of band sees it."""
    client = RdbClient(ScalewaySettings(CREDENTIALS["SCW_SECRET_KEY"], api_url=sandbox.url))
    yield client
    client.close()


@pytest.fixture(autouse=True)
def no_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The developer's own Scaleway CLI profile must not leak into the runs."""
    monkeypatch.setenv("SCW_CONFIG_PATH", str(tmp_path / "absent.yaml"))


def backups(rdb: RdbClient) -> dict[str, tuple[str, str]]:
    """Backup id -> (name, status), as the API lists them now."""
    return {b.id: (b.name, b.status) for b in rdb.list_backups("fr-par", instance_id=INSTANCE)}


def engine(sandbox: Sandbox, where: Path, **config: Any) -> Engine:
    return sandbox_engine(sandbox, PROGRAM, where, **config)


def test_backup_lifecycle(sandbox: Sandbox, tmp_path: Path, rdb: RdbClient) -> None:
    run = engine(sandbox, tmp_path)
    sandbox.clear_counters()
    assert run.preview().op("backup") == "create"
    assert sandbox.counters() == {}  # a preview makes no HTTP call

    result = run.up()
    backup_id, name = result.outputs["backup_id"], result.outputs["name"]
    assert result.op("backup") == "create" and result.outputs["status"] == "ready"
    assert re.fullmatch(r"app-\d{8}-\d{6}", name) and result.outputs["size"] > 0
    assert result.outputs["instance_name"] == "sandbox-pg"
    assert run.resource("backup").id == f"fr-par/{backup_id}"
    assert result.outputs.get("download_url") is None
    assert mutations(sandbox) == {CREATE: 1}
    assert backups(rdb) == {backup_id: (name, "ready")}

    assert run.up().op("backup") == "same"  # the derived name and region cause no change
    assert mutations(sandbox) == {}

    run.configure(name="nightly")
    plan = run.preview()
    assert plan.op("backup") == "update" and plan.step("backup").replaces == []
    result = run.up()
    assert result.op("backup") == "update" and result.outputs["name"] == "nightly"
    assert mutations(sandbox) == {PATCH: 1}
    assert backups(rdb) == {backup_id: ("nightly", "ready")}

    run.configure(expires_at="2031-01-31T01:00:00+01:00")
    result = run.up()
    assert result.op("backup") == "update"
    assert result.outputs["expires_at"] == "2031-01-31T00:00:00Z"
    run.configure(expires_at="2032-06-30T00:00:00Z")
    assert run.up().outputs["expires_at"] == "2032-06-30T00:00:00Z"
    assert mutations(sandbox) == {PATCH: 2}
    assert (
        rdb.get_backup("fr-par", backup_id).outputs(False)["expires_at"] == "2032-06-30T00:00:00Z"
    )

    run.configure(export=True)
    result = run.up()
    assert result.op("backup") == "update" and mutations(sandbox) == {EXPORT: 1}
    url = result.outputs["download_url"]
    assert is_secret(url) and "X-Amz-Signature=" in url["value"]
    stored = run.resource("backup")
    assert "download_url" in stored.secret_outputs and is_secret(stored.outputs["download_url"])
    assert run.refresh().op("backup") == "same" and mutations(sandbox) == {}

    # An operator exports it again, with a link of a minute; two minutes later (the sandbox's
    # clock 2 min ahead: still within the bound its Date is believed in) it has expired.
    sandbox.configure(link_seconds=60)
    rdb.export_backup("fr-par", backup_id)
    assert rdb.get_backup("fr-par", backup_id).link_valid(margin_seconds=0)  # exported
    sandbox.configure(link_seconds=86400)
    sandbox.advance(120)
    expired = rdb.get_backup("fr-par", backup_id)
    assert expired.download_url and not expired.link_valid(margin_seconds=0)
    sandbox.clear_counters()
    # A refresh only reads, in a preview too: the expired link is reported gone, Diff plans
    # the update that renews it, and the preview shows it.
    result = run.preview(refresh=True)
    assert result.op("backup") == "update" and mutations(sandbox) == {}
    run.refresh()
    assert mutations(sandbox) == {}
    refreshed = run.resource("backup").plain_outputs()
    assert refreshed.get("download_url") is None
    assert refreshed["download_url_expires_at"] == expired.outputs(True)["download_url_expires_at"]
    result = run.up()
    assert result.op("backup") == "update" and mutations(sandbox) == {EXPORT: 1}
    renewed = run.resource("backup").plain_outputs()
    assert renewed["download_url"] not in (None, url["value"])
    assert renewed["download_url_expires_at"] > stored.plain_outputs()["download_url_expires_at"]
    assert run.up().op("backup") == "same" and mutations(sandbox) == {}

    rdb.delete_backup("fr-par", backup_id)  # out of band
    sandbox.clear_counters()
    result = run.refresh()
    assert result.op("backup") == "delete" and run.state == []

    result = run.up()
    assert result.op("backup") == "create" and result.outputs["backup_id"] != backup_id
    assert mutations(sandbox) == {CREATE: 1, EXPORT: 1}
    run.destroy()
    assert mutations(sandbox) == {DELETE: 1}
    assert backups(rdb) == {} and run.state == []


def test_removing_an_expiry_fails_check_and_replacing_instance_replaces(
    sandbox: Sandbox, tmp_path: Path, rdb: RdbClient
) -> None:
    run = engine(sandbox, tmp_path, expires_at="2031-01-31T00:00:00Z")
    first = run.up().outputs["backup_id"]
    run.configure(expires_at=None)
    plan = run.preview()
    assert "cannot be removed once set" in plan.errors["backup"]
    with pytest.raises(DeploymentError, match="expires_at: an expiry cannot be removed"):
        run.up()
    assert rdb.get_backup("fr-par", first).expires_at is not None

    run.configure(expires_at="2031-01-31T00:00:00Z", database_name="app_restore")
    plan = run.preview()
    assert plan.op("backup") == "replace" and plan.step("backup").replaces == ["database_name"]
    result = run.up()
    second = result.outputs["backup_id"]
    assert result.op("backup") == "replace" and second != first
    assert set(backups(rdb)) == {second}
    run.destroy()
    assert backups(rdb) == {}


def test_restore_into_a_second_database(sandbox: Sandbox, tmp_path: Path, rdb: RdbClient) -> None:
    run = engine(sandbox, tmp_path, restore=True, restore_triggers=["v1"])
    assert run.preview().ops == {"backup": "create", "restore": "create"}
    result = run.up()
    backup_id = result.outputs["backup_id"]
    assert result.outputs["restore_status"] == "ready"
    assert re.fullmatch(rf"fr-par/{backup_id}/restore/\d+", result.outputs["restore_id"])
    assert mutations(sandbox) == {CREATE: 1, RESTORE: 1}
    assert run.up().ops == {"backup": "same", "restore": "same"}
    assert mutations(sandbox) == {}

    run.configure(restore_triggers=["v2"], restore_backup_id=backup_id, restore_region="fr-par")
    plan = run.preview()
    assert plan.ops == {"backup": "same", "restore": "replace"}
    result = run.up()
    assert result.op("restore") == "replace" and mutations(sandbox) == {RESTORE: 1}
    assert rdb.get_backup("fr-par", backup_id).status == "ready"

    run.destroy()
    assert mutations(sandbox) == {DELETE: 1}  # forgetting the restore calls nothing
    assert "a restore cannot be undone" in run.host_output
    assert backups(rdb) == {} and run.state == []


@pytest.fixture(scope="module")
def faulty() -> Iterator[Sandbox]:
    """A sandbox answering 30 % of API requests 429 (empty body) and 10 % 503, from a fixed
    seed: the same requests meet the same faults on every run."""
    settings = SandboxSettings(task_seconds=0, ratelimit_rate=0.3, error_rate=0.1, seed=20261125)
    server = Sandbox(settings).start()
    yield server
    server.stop()


def test_rate_limit_and_server_error_bursts_are_retried(
    sandbox: Sandbox, faulty: Sandbox, tmp_path: Path
) -> None:
    calm = engine(sandbox, tmp_path / "calm", export=True, restore=True)
    calm.up()
    needed = sum(sandbox.counters().values())
    calm.destroy()

    faulty.reset()
    run = engine(faulty, tmp_path / "faulty", export=True, restore=True)
    result = run.up()
    assert result.outputs["status"] == "ready" and result.outputs["restore_status"] == "ready"
    assert sum(faulty.counters().values()) > needed  # faults were met, and retried
    run.destroy()
    objects = faulty.objects()
    assert not objects.get("scaleway:backup") and run.state == []


def test_backup_stuck_in_creating_times_out_clearly(
    sandbox: Sandbox, tmp_path: Path, rdb: RdbClient
) -> None:
    run = engine(sandbox, tmp_path, timeouts={"create": 1})
    sandbox.script("scaleway:backup/create", "hang")
    with pytest.raises(DeploymentError) as info:
        run.up()
    message = info.value.errors["backup"]
    (left,) = backups(rdb)
    assert "timed out after 1 s" in message and "it is still 'creating'" in message
    assert f"creation of backup fr-par/{left}" in message and "'creating'" in message
    assert f"the backup fr-par/{left} it created could NOT be deleted" in message
    assert run.state == []


def test_endless_rate_limits_end_the_create_at_its_deadline(
    sandbox: Sandbox, tmp_path: Path, rdb: RdbClient
) -> None:
    """Every read of the backup answers 429: the wait ends at `timeouts.create`, not a retry
    budget later (the last poll's retries alone would add 4 to 8 s). The backup, unread, is
    found by listing (another route); still being made, it cannot be deleted yet, and the error
    says which it is."""
    run = engine(sandbox, tmp_path, timeouts={"create": 2})
    sandbox.configure(task_seconds=3600)
    sandbox.fault("429", f"GET {BACKUPS}/{{backup_id}}", count=None)
    start = time.monotonic()
    with pytest.raises(DeploymentError) as info:
        run.up(skip_preview=True)  # the time of one provider host's start only
    took = time.monotonic() - start
    sandbox.clear_faults()
    message = info.value.errors["backup"]
    assert "timed out after 2 s" in message and "could NOT be deleted" in message, message
    (left,) = backups(rdb)
    assert f"scw rdb backup delete {left} region=fr-par" in message and run.state == []
    assert took < 2 + 3.0, f"{took:.1f} s for a 2 s deadline"


def test_failed_backup_is_reported_and_deleted(
    sandbox: Sandbox, tmp_path: Path, rdb: RdbClient
) -> None:
    run = engine(sandbox, tmp_path)
    sandbox.script("scaleway:backup/create", "fail")
    with pytest.raises(DeploymentError) as info:
        run.up()
    message = info.value.errors["backup"]
    assert "ended with status 'error'" in message and "it created was deleted" in message
    assert backups(rdb) == {} and run.state == []
    assert run.up().outputs["status"] == "ready"  # the next run simply creates it
    run.destroy()
