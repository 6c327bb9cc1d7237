"""RdbBackup / RdbBackupRestore operations against the sandbox, on a fake clock that moves
the sandbox's clock with it (no real waiting). Statuses the sandbox never gives (``locked``,
``unknown``) and a refused export come from small handlers with recorded bodies."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
import pytest
from support.fakes import FakeClock
from support.scaleway import INSTANCE, SandboxRdb, client_for, error, recorded

from pulumi_backups.core.errors import (
    RESTORE_GOES_ON,
    ApiError,
    BadRequestError,
    NotFoundError,
    ServerError,
    TaskFailedError,
    WaitTimeoutError,
)
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.scaleway import operations
from pulumi_backups.scaleway.models import (
    CreateBackupRequest,
    RestoreBackupRequest,
    UpdateBackupRequest,
)

POLICY = WaitPolicy(timeout=300)
STEP = 10.0
STEADY = WaitPolicy(timeout=300, initial=STEP)
"""Polls STEP seconds apart: an operation lasting ``n * STEP - STEP / 2`` is seen after n polls,
with seconds to spare for the real time the requests take on the sandbox's clock."""
REQUEST = CreateBackupRequest(instance_id=INSTANCE, database_name="app", name="nightly")
CREATE_ROUTE = "POST /rdb/v1/regions/{region}/backups"


def lasting(sandbox: Sandbox, polls: int) -> None:
    """Operations started from now on last ``polls`` polls of :data:`STEADY`."""
    sandbox.configure(task_seconds=polls * STEP - STEP / 2)


def _create(rdb_api: SandboxRdb, export: bool = False, policy: WaitPolicy = POLICY) -> str:
    backup = operations.create(rdb_api.client(), "fr-par", REQUEST, export=export, policy=policy)
    return backup.id


def test_create_waits_until_ready_on_the_fake_clock(rdb_api: SandboxRdb, sandbox: Sandbox) -> None:
    lasting(sandbox, 3)
    backup_id = _create(rdb_api, policy=STEADY)
    found = rdb_api.find(backup_id)
    assert found is not None and found.status == "ready"
    assert rdb_api.calls("POST") == ["POST /rdb/v1/regions/fr-par/backups"]
    # read back at once (is it the backup just made?), then polled
    assert len(rdb_api.calls("GET")) == 5 and len(rdb_api.clock.sleeps) == 3
    assert json.loads(rdb_api.requests[0].content) == REQUEST.to_api()


def test_create_with_export_returns_a_valid_link(rdb_api: SandboxRdb) -> None:
    backup = operations.create(rdb_api.client(), "fr-par", REQUEST, export=True, policy=POLICY)
    assert backup.done and backup.link_valid() and backup.download_url
    assert rdb_api.calls("POST")[-1].endswith(f"/{backup.id}/export")


def test_failed_create_names_the_backup_and_deletes_it(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    sandbox.script("scaleway:backup/create", "fail")
    with pytest.raises(TaskFailedError) as info:
        _create(rdb_api)
    (backup_id,) = rdb_api.created()
    message = str(info.value)
    assert f"creation of backup fr-par/{backup_id}" in message and "'error'" in message
    assert f"the backup fr-par/{backup_id} it created was deleted" in message
    assert rdb_api.calls("DELETE") == [f"DELETE /rdb/v1/regions/fr-par/backups/{backup_id}"]
    assert rdb_api.find(backup_id) is None


@pytest.mark.parametrize("final", ["locked", "unknown"])
def test_a_backup_in_a_final_failure_status_is_not_waited_on(final: str) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = {**recorded("create_response_creating.json"), **REQUEST.to_api()}
        status = {"GET": final, "DELETE": "deleting"}.get(request.method, body["status"])
        return httpx.Response(200, json={**body, "status": status})

    clock = FakeClock()
    with pytest.raises(TaskFailedError) as info:
        operations.create(client_for(handle, clock), "fr-par", REQUEST, export=False, policy=POLICY)
    assert f"'{final}'" in str(info.value) and clock.t < 5  # not the 300 s deadline


def test_stuck_creation_times_out_and_says_what_was_left(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    sandbox.script("scaleway:backup/create", "hang")
    with pytest.raises(WaitTimeoutError) as info:
        _create(rdb_api, policy=WaitPolicy(timeout=5))
    (backup,) = rdb_api.operator.list_backups("fr-par", instance_id=INSTANCE)
    backup_id = backup.id
    message = str(info.value)
    assert "timed out after 5 s" in message and "(last status: 'creating')" in message
    assert f"fr-par/{backup_id} it created could NOT be deleted" in message
    assert f"scw rdb backup delete {backup_id} region=fr-par" in message
    assert 10 <= rdb_api.clock.t <= 11  # 5 s to create, at most 5 s more to try deleting


def test_a_failed_export_keeps_the_ready_backup(rdb_api: SandboxRdb) -> None:
    """The backup is made: only its export failed. It is never deleted for that; the error
    names it and how to adopt it or delete it."""
    rdb_api.answers["POST /export"] = error(412, "error_precondition_failed_412.json")
    with pytest.raises(ApiError, match="precondition is not respected") as info:
        _create(rdb_api, export=True)
    (backup_id,) = rdb_api.created()
    message = str(info.value)
    assert f"the backup fr-par/{backup_id} is ready and was kept" in message
    assert f"pulumi import backups:scaleway:RdbBackup <name> fr-par/{backup_id}" in message
    assert not rdb_api.calls("DELETE")
    kept = rdb_api.find(backup_id)
    assert kept is not None and kept.done


def test_lost_create_answer_adopts_the_backup_the_api_made(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    older = rdb_api.add(name="nightly")  # same name and database, made before the request
    sandbox.advance(3600)
    sandbox.fault("lost-500", CREATE_ROUTE)  # carried out, its answer lost
    adopted = _create(rdb_api)
    (made,) = {b.id for b in rdb_api.operator.list_backups("fr-par", name="nightly")} - {older.id}
    assert adopted == made
    assert rdb_api.calls("POST") == ["POST /rdb/v1/regions/fr-par/backups"]


def test_lost_create_answer_without_a_match_is_reported(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    sandbox.fault("500", CREATE_ROUTE)  # refused before anything was made
    with pytest.raises(ServerError, match=r"backups named 'nightly' created since .*: none"):
        _create(rdb_api)


def test_refused_create_is_not_looked_up(rdb_api: SandboxRdb) -> None:
    refused = REQUEST.model_copy(update={"instance_id": "not-a-uuid"})
    with pytest.raises(BadRequestError):
        operations.create(rdb_api.client(), "fr-par", refused, export=False, policy=POLICY)
    assert rdb_api.calls() == ["POST /rdb/v1/regions/fr-par/backups"]


def test_read_drops_gone_and_deleting_backups(rdb_api: SandboxRdb, sandbox: Sandbox) -> None:
    client = rdb_api.client()
    assert operations.read(client, "fr-par", str(uuid.uuid4())) is None
    deleting, ready = rdb_api.add(), rdb_api.add()
    sandbox.configure(task_seconds=60)
    rdb_api.operator.delete_backup("fr-par", deleting.id)
    assert operations.read(client, "fr-par", deleting.id) is None
    found = operations.read(client, "fr-par", ready.id)
    assert found is not None and found.id == ready.id


def test_read_never_renews_an_expired_link(rdb_api: SandboxRdb, sandbox: Sandbox) -> None:
    """A read runs in previews: it only GETs, and says the link has expired (by the
    server's clock); the renewal is an update's."""
    client = rdb_api.client()
    backup_id = operations.create(client, "fr-par", REQUEST, export=True, policy=POLICY).id
    sandbox.advance(timedelta(hours=25).total_seconds())
    read = operations.read(client, "fr-par", backup_id)
    assert read is not None and read.done and not read.link_valid(margin_seconds=0)
    assert len(rdb_api.calls("POST")) == 2  # create, export: nothing more
    renewed = operations.update(
        client, "fr-par", backup_id, UpdateBackupRequest(), export=True, policy=POLICY
    )
    assert renewed.link_valid() and len(rdb_api.calls("POST")) == 3


def test_update_sends_only_what_changed(rdb_api: SandboxRdb) -> None:
    client = rdb_api.client()
    backup = rdb_api.add()
    operations.update(
        client, "fr-par", backup.id, UpdateBackupRequest(), export=False, policy=POLICY
    )
    assert not rdb_api.calls("PATCH")
    renamed = operations.update(
        client, "fr-par", backup.id, UpdateBackupRequest(name="x"), export=False, policy=POLICY
    )
    assert renamed.name == "x" and json.loads(rdb_api.requests[-1].content) == {"name": "x"}


def test_delete_waits_for_404_through_a_rate_limit_burst(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    backup = rdb_api.add()
    lasting(sandbox, 2)
    client = rdb_api.client(attempts=2)
    # more than the client's retries: the wait goes on
    sandbox.fault("429", "GET /rdb/v1/regions/{region}/backups/{backup_id}", count=5)
    operations.delete(client, "fr-par", backup.id, POLICY)
    assert rdb_api.find(backup.id) is None and not sandbox.faults()
    operations.delete(client, "fr-par", backup.id, POLICY)  # already gone: fine


def test_delete_of_a_busy_backup_waits_for_it(rdb_api: SandboxRdb, sandbox: Sandbox) -> None:
    backup = rdb_api.add()
    lasting(sandbox, 1)
    rdb_api.operator.export_backup("fr-par", backup.id)  # exporting
    operations.delete(rdb_api.client(), "fr-par", backup.id, STEADY)
    assert rdb_api.find(backup.id) is None
    assert rdb_api.calls("DELETE") == [f"DELETE /rdb/v1/regions/fr-par/backups/{backup.id}"] * 2


def test_restore_waits_until_ready_again(rdb_api: SandboxRdb, sandbox: Sandbox) -> None:
    backup = rdb_api.add()
    lasting(sandbox, 2)
    request = RestoreBackupRequest(instance_id=INSTANCE, database_name="app_restore")
    done = operations.restore(rdb_api.client(), "fr-par", backup.id, request, STEADY)
    assert done.done and rdb_api.calls("POST")[0].endswith("/restore")
    assert json.loads(rdb_api.requests[0].content) == request.to_api()
    assert len(rdb_api.calls("GET")) == 3  # restoring, restoring, ready


def test_restore_timeout_says_it_goes_on(rdb_api: SandboxRdb, sandbox: Sandbox) -> None:
    backup = rdb_api.add()
    sandbox.script("scaleway:backup/restore", "hang")
    request = RestoreBackupRequest(instance_id=INSTANCE)
    with pytest.raises(WaitTimeoutError) as info:
        operations.restore(rdb_api.client(), "fr-par", backup.id, request, WaitPolicy(9))
    message = str(info.value)
    assert f"restore of backup fr-par/{backup.id} into {INSTANCE}/app" in message
    assert "'restoring'" in message and RESTORE_GOES_ON in message


def test_restore_of_a_missing_backup_is_not_found(rdb_api: SandboxRdb) -> None:
    with pytest.raises(NotFoundError):
        operations.restore(
            rdb_api.client(),
            "fr-par",
            str(uuid.uuid4()),
            RestoreBackupRequest(instance_id=INSTANCE),
            POLICY,
        )
