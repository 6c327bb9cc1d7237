"""RdbBackup / RdbBackupRestore operations on a fake API and a fake clock (no real waiting)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from support.fakes import FakeClock
from support.scw_fakes import INSTANCE, FakeRdb, error

from pulumi_backups.core.errors import (
    ApiError,
    BadRequestError,
    NotFoundError,
    ServerError,
    TaskFailedError,
    WaitTimeoutError,
)
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.scaleway import operations
from pulumi_backups.scaleway.models import (
    CreateBackupRequest,
    RestoreBackupRequest,
    UpdateBackupRequest,
)

POLICY = WaitPolicy(timeout=300)
REQUEST = CreateBackupRequest(instance_id=INSTANCE, database_name="app", name="nightly")


def _create(api: FakeRdb, clock: FakeClock, export: bool = False, timeout: float = 300) -> str:
    backup = operations.create(
        api.client(clock), "fr-par", REQUEST, export=export, policy=WaitPolicy(timeout=timeout)
    )
    return backup.id


def test_create_waits_until_ready_on_the_fake_clock() -> None:
    api, clock = FakeRdb(polls=3), FakeClock()
    backup_id = _create(api, clock)
    assert api.backups[backup_id]["status"] == "ready"
    assert api.calls("POST") == ["POST /rdb/v1/regions/fr-par/backups"]
    assert len(api.calls("GET")) == 4 and len(clock.sleeps) == 3
    assert json.loads(api.requests[0].content) == REQUEST.to_api()


def test_create_with_export_returns_a_valid_link() -> None:
    api, clock = FakeRdb(polls=1), FakeClock()
    backup = operations.create(api.client(clock), "fr-par", REQUEST, export=True, policy=POLICY)
    assert backup.ready and backup.link_valid() and backup.download_url
    assert api.calls("POST")[-1].endswith(f"/{backup.id}/export")


def test_failed_create_names_the_backup_and_deletes_it() -> None:
    api, clock = FakeRdb(polls=1, outcome="error"), FakeClock()
    with pytest.raises(TaskFailedError) as info:
        _create(api, clock)
    (backup_id,) = api.backups
    message = str(info.value)
    assert f"creation of backup fr-par/{backup_id}" in message and "'error'" in message
    assert f"the backup fr-par/{backup_id} it created was deleted" in message
    assert api.calls("DELETE") == [f"DELETE /rdb/v1/regions/fr-par/backups/{backup_id}"]


@pytest.mark.parametrize("final", ["locked", "unknown"])
def test_a_backup_in_a_final_failure_status_is_not_waited_on(final: str) -> None:
    api, clock = FakeRdb(polls=1, outcome=final), FakeClock()
    with pytest.raises(TaskFailedError) as info:
        _create(api, clock)
    assert f"'{final}'" in str(info.value) and clock.t < 5  # not the 300 s deadline


def test_stuck_creation_times_out_and_says_what_was_left() -> None:
    api, clock = FakeRdb(outcome="hang"), FakeClock()
    with pytest.raises(WaitTimeoutError) as info:
        _create(api, clock, timeout=5)
    (backup_id,) = api.backups
    message = str(info.value)
    assert "timed out after 5 s" in message and "(last status: 'creating')" in message
    assert f"fr-par/{backup_id} it created could NOT be deleted" in message
    assert f"scw rdb backup delete {backup_id} region=fr-par" in message
    assert 10 <= clock.t <= 11  # 5 s to create, at most 5 s more to try deleting


def test_failed_export_after_create_still_cleans_up() -> None:
    api, clock = FakeRdb(polls=0), FakeClock()
    api.refusals["export"] = error(412, "error_precondition_failed_412.json")
    with pytest.raises(ApiError, match="precondition is not respected") as info:
        _create(api, clock, export=True)
    assert "it created was deleted" in str(info.value) and api.calls("DELETE")


def test_lost_create_answer_adopts_the_backup_the_api_made() -> None:
    api, clock = FakeRdb(polls=0), FakeClock()
    now = datetime.now(timezone.utc).isoformat()
    made = api.add("creating", name="nightly", database_name="app", created_at=now)
    api.add("ready", name="nightly", database_name="app", created_at="2020-01-01T00:00:00Z")
    api.faults = [httpx.Response(500, text="upstream reset")]
    assert _create(api, clock) == made["id"]
    assert api.calls("POST") == ["POST /rdb/v1/regions/fr-par/backups"]


def test_lost_create_answer_without_a_match_is_reported() -> None:
    api, clock = FakeRdb(), FakeClock()
    api.faults = [httpx.Response(500, text="upstream reset")]
    with pytest.raises(ServerError, match="backups named 'nightly' created since: none"):
        _create(api, clock)


def test_refused_create_is_not_looked_up() -> None:
    api, clock = FakeRdb(), FakeClock()
    api.faults = [error(400, "error_invalid_arguments_400.json")]
    with pytest.raises(BadRequestError):
        _create(api, clock)
    assert api.calls() == ["POST /rdb/v1/regions/fr-par/backups"]


def test_read_drops_gone_and_deleting_backups() -> None:
    api, clock = FakeRdb(), FakeClock()
    client = api.client(clock)
    assert operations.read(client, "fr-par", "0" * 8) is None
    deleting = api.add("deleting")
    assert operations.read(client, "fr-par", deleting["id"]) is None
    ready = api.add("ready")
    found = operations.read(client, "fr-par", ready["id"])
    assert found is not None and found.id == ready["id"]


def test_read_never_renews_an_expired_link() -> None:
    """A read runs in previews: it only GETs, and says the link has expired (by the
    server's clock); the renewal is an update's."""
    api, clock = FakeRdb(polls=0), FakeClock()
    client = api.client(clock)
    backup_id = operations.create(client, "fr-par", REQUEST, export=True, policy=POLICY).id
    later = datetime.now(timezone.utc) + timedelta(hours=25)
    api.date = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    read = operations.read(client, "fr-par", backup_id)
    assert read is not None and read.ready and not read.link_valid(margin_seconds=0)
    assert len(api.calls("POST")) == 2  # create, export: nothing more
    renewed = operations.update(
        client, "fr-par", backup_id, UpdateBackupRequest(), export=True, policy=POLICY
    )
    assert renewed.link_valid() and len(api.calls("POST")) == 3


def test_update_sends_only_what_changed() -> None:
    api, clock = FakeRdb(), FakeClock()
    client = api.client(clock)
    backup = api.add("ready")
    operations.update(
        client, "fr-par", backup["id"], UpdateBackupRequest(), export=False, policy=POLICY
    )
    assert not api.calls("PATCH")
    renamed = operations.update(
        client, "fr-par", backup["id"], UpdateBackupRequest(name="x"), export=False, policy=POLICY
    )
    assert renamed.name == "x" and json.loads(api.requests[-1].content) == {"name": "x"}


def test_delete_waits_for_404_through_a_rate_limit_burst() -> None:
    api, clock = FakeRdb(polls=2), FakeClock()
    backup = api.add("ready")
    client = api.client(clock, attempts=2)
    api.get_faults = [error(429)] * 5  # more than the client's retries: the wait goes on
    operations.delete(client, "fr-par", backup["id"], POLICY)
    assert backup["id"] not in api.backups and not api.get_faults
    operations.delete(client, "fr-par", backup["id"], POLICY)  # already gone: fine


def test_delete_of_a_busy_backup_waits_for_it() -> None:
    api, clock = FakeRdb(polls=1), FakeClock()
    backup = api.add("exporting")
    operations.delete(api.client(clock), "fr-par", backup["id"], POLICY)
    assert backup["id"] not in api.backups
    assert api.calls("DELETE") == [f"DELETE /rdb/v1/regions/fr-par/backups/{backup['id']}"] * 2


def test_restore_waits_until_ready_again() -> None:
    api, clock = FakeRdb(polls=2), FakeClock()
    backup = api.add("ready")
    request = RestoreBackupRequest(instance_id=INSTANCE, database_name="app_restore")
    done = operations.restore(api.client(clock), "fr-par", backup["id"], request, POLICY)
    assert done.ready and api.calls("POST")[0].endswith("/restore")
    assert json.loads(api.requests[0].content) == request.to_api()


def test_restore_timeout_says_it_goes_on() -> None:
    api, clock = FakeRdb(outcome="hang"), FakeClock()
    backup = api.add("ready")
    request = RestoreBackupRequest(instance_id=INSTANCE)
    with pytest.raises(WaitTimeoutError) as info:
        operations.restore(api.client(clock), "fr-par", backup["id"], request, WaitPolicy(9))
    message = str(info.value)
    assert f"restore of backup fr-par/{backup['id']} into {INSTANCE}/foo" in message
    assert "'restoring'" in message and "goes on server-side" in message


def test_restore_of_a_missing_backup_is_not_found() -> None:
    api, clock = FakeRdb(), FakeClock()
    with pytest.raises(NotFoundError):
        operations.restore(
            api.client(clock),
            "fr-par",
            "missing",
            RestoreBackupRequest(instance_id=INSTANCE),
            POLICY,
        )
