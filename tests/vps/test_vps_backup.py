"""VpsBackup: pure check/diff, and create/read/delete against the sandbox's panel."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.vps import CREATE, SERVER, SandboxVps

from pulumi_backups.core.errors import BackupsError, NotFoundError, ServerError
from pulumi_backups.vps.operations import REFRESH_MAX_AGE
from pulumi_backups.vps.vps_backup import VpsBackupArgs, VpsBackupProvider

PROVIDER = VpsBackupProvider()


def _failures(news: dict[str, Any]) -> dict[str, str]:
    result = PROVIDER.check({}, {"__provider": "x", **news})
    return {f.property: f.reason for f in result.failures}


def test_check_normalizes_server_id() -> None:
    for given in (12345, 12345.0, "12345"):
        result = PROVIDER.check({}, {"server_id": given, "triggers": ["v1"]})
        assert result.failures == []
        assert result.inputs == {"server_id": 12345, "triggers": ["v1"]}


@pytest.mark.parametrize(
    ("news", "prop"),
    [
        ({"server_id": "web-01"}, "server_id"),
        ({"server_id": 1.5}, "server_id"),
        ({"server_id": True}, "server_id"),
        ({"server_id": 0}, "server_id"),
        ({}, "server_id"),
        ({"server_id": 1, "descripton": "typo"}, "descripton"),
        ({"server_id": 1, "timeouts": {"create": -1}}, "timeouts.create"),
    ],
)
def test_check_refuses_bad_inputs_on_the_right_property(news: dict[str, Any], prop: str) -> None:
    assert list(_failures(news)) == [prop]


def _diff(olds: dict[str, Any], news: dict[str, Any]) -> tuple[bool, list[str], bool]:
    base = {"__provider": "p", "server_id": 12345.0, "backup_id": 501.0, "status": "completed"}
    result = PROVIDER.diff("12345/501", {**base, **olds}, {"server_id": 12345, **news})
    return bool(result.changes), list(result.replaces or []), bool(result.delete_before_replace)


def test_diff_replaces_on_any_change_and_creates_before_deleting() -> None:
    assert _diff({}, {}) == (False, [], False)
    assert _diff({"triggers": ["v1"]}, {"triggers": ["v2"]}) == (True, ["triggers"], False)
    assert _diff({}, {"description": "pre-deploy"}) == (True, ["description"], False)
    assert _diff({}, {"server_id": 777}) == (True, ["server_id"], False)
    assert _diff({}, {"timeouts": {"create": 60}}) == (True, [], False)  # in place


def test_create_waits_for_completion_and_reads_back(vps_api: SandboxVps) -> None:
    vps_api.pace(task_seconds=100, step=60)  # in progress at the first two polls
    args = VpsBackupArgs(server_id=SERVER, description="Pre-deployment backup")
    resource_id, outs = PROVIDER.create_resource(args)
    assert resource_id == f"{SERVER}/501"
    listed = vps_api.backups()[501]
    assert outs == {
        "backup_id": 501,
        "backup_type": "manual",
        "status": "completed",
        "size_mb": 4537,
        "created_at": listed.created_at,
        "expires_at": None,
        "server_name": "web-server-01",
    }
    # One listing before the POST (the ids that exist already), then the three polls.
    assert vps_api.calls("GET") == ["GET /api/v1/backups/"] * 4
    assert len(vps_api.clock.sleeps) == 2
    assert listed.description == "Pre-deployment backup"


def _saying(vps_api: SandboxVps, status: str) -> None:
    """The panel lists a failed backup with `status` instead (the sandbox says `failed`)."""

    def answer(request: httpx.Request) -> httpx.Response | None:
        if request.method != "GET":
            return None
        page = vps_api.relay(request).json()
        for item in page["results"]:
            item["status"] = status if item["status"] == "failed" else item["status"]
        return httpx.Response(200, json=page)

    vps_api.answer = answer


@pytest.mark.parametrize("final", ["failed", "error"])
def test_failed_backup_is_deleted_and_named(vps_api: SandboxVps, final: str) -> None:
    vps_api.sandbox.script("vps:backup/create", "fail")
    _saying(vps_api, final)
    with pytest.raises(BackupsError) as caught:
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER))
    message = str(caught.value)
    assert f"backup 501 of server {SERVER} ended with status {final!r}" in message
    assert "the unfinished backup 501 was deleted" in message
    assert vps_api.backups() == {} and vps_api.calls("DELETE") == ["DELETE /api/v1/backups/501/"]


def test_timed_out_backup_is_deleted(vps_api: SandboxVps) -> None:
    vps_api.sandbox.script("vps:backup/create", "hang")
    args = VpsBackupArgs.model_validate({"server_id": SERVER, "timeouts": {"create": 30}})
    with pytest.raises(BackupsError, match=r"timed out after 30 s .*'in_progress'.*was deleted"):
        PROVIDER.create_resource(args)
    assert vps_api.clock.t == pytest.approx(30) and vps_api.backups() == {}


def test_backup_that_cannot_be_deleted_is_named_in_the_error(vps_api: SandboxVps) -> None:
    vps_api.sandbox.script("vps:backup/create", "fail")
    busy = httpx.Response(409, json={"detail": "Backup is busy."})
    vps_api.answer = lambda request: busy if request.method == "DELETE" else None
    with pytest.raises(BackupsError) as caught:
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER))
    message = str(caught.value)
    assert "backup 501 of server 12345 was LEFT BEHIND" in message
    assert "Backup is busy." in message and "DELETE /api/v1/backups/501/" in message
    assert list(vps_api.backups()) == [501]


def test_backup_vanishing_during_the_wait_fails_the_create(vps_api: SandboxVps) -> None:
    def vanish(request: httpx.Request) -> None:
        if request.method == "GET":
            for backup_id in vps_api.backups():
                vps_api.operator.delete_backup(backup_id)

    vps_api.answer = vanish
    with pytest.raises(BackupsError, match=r"status 'missing'.*no longer exists"):
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER))


def test_create_on_unknown_server_raises_not_found(vps_api: SandboxVps) -> None:
    with pytest.raises(NotFoundError, match="server 99999"):
        PROVIDER.create_resource(VpsBackupArgs(server_id=99999))
    assert vps_api.backups() == {}


def test_read_finds_the_backup_or_reports_it_gone(vps_api: SandboxVps) -> None:
    first, *_ = vps_api.add(51)  # the oldest of 51: on the listing's second page
    args = VpsBackupArgs(server_id=SERVER)
    outs = PROVIDER.read_resource(f"{SERVER}/{first}", args, {})
    assert outs is not None and outs["backup_id"] == first and outs["status"] == "completed"
    vps_api.operator.delete_backup(first)
    vps_api.clock.sleep(REFRESH_MAX_AGE + 1)  # a later refresh: the first one's listing is old
    assert PROVIDER.read_resource(f"{SERVER}/{first}", args, {}) is None


def test_malformed_id_is_a_clear_error(vps_api: SandboxVps) -> None:
    args = VpsBackupArgs(server_id=SERVER)
    with pytest.raises(BackupsError, match=r"malformed VpsBackup id '12345/x'"):
        PROVIDER.read_resource("12345/x", args, {})


def test_delete_is_idempotent(vps_api: SandboxVps) -> None:
    (backup_id,) = vps_api.add()
    args = VpsBackupArgs(server_id=SERVER)
    PROVIDER.delete_resource(f"{SERVER}/{backup_id}", args, {})
    PROVIDER.delete_resource(f"{SERVER}/{backup_id}", args, {})
    # The second delete finds the backup gone in its server's listing and sends no DELETE.
    assert vps_api.backups() == {} and len(vps_api.calls("DELETE")) == 1


def test_create_whose_answer_is_lost_warns_of_a_possible_backup(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("500", CREATE)
    with pytest.raises(BackupsError, match=r"HTTP 500.*may have started a backup of server 12345"):
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER))
    vps_api.sandbox.fault("503", CREATE, count=6)
    with pytest.raises(ServerError) as caught:  # refused: nothing can have been started
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER))
    assert "may have started" not in str(caught.value)
    assert vps_api.backups() == {}
