"""VpsBackup: pure check/diff, and create/read/delete against an in-memory panel."""

from __future__ import annotations

from typing import Any

import pytest
from support.fakes import FakeClock
from vps.vps_fakes import SERVER, FakePanel

from pulumi_backups.core.errors import BackupsError, NotFoundError, ServerError
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


def test_create_waits_for_completion_and_reads_back() -> None:
    panel, clock = FakePanel(polls_to_finish=3), FakeClock()
    args = VpsBackupArgs(server_id=SERVER, description="Pre-deployment backup")
    resource_id, outs = PROVIDER.create_resource(args, client=panel.client(), clock=clock)
    assert resource_id == f"{SERVER}/501"
    assert outs == {
        "backup_id": 501,
        "backup_type": "manual",
        "status": "completed",
        "size_mb": 4456,
        "created_at": "2025-01-16T15:45:00Z",
        "expires_at": None,
        "server_name": "web-server-01",
    }
    assert panel.calls("GET") == ["GET /api/v1/backups/"] * 3
    assert len(clock.sleeps) == 2
    assert panel.backups[501]["description"] == "Pre-deployment backup"


@pytest.mark.parametrize("final", ["failed", "error"])
def test_failed_backup_is_deleted_and_named(final: str) -> None:
    panel = FakePanel(final_status=final)
    with pytest.raises(BackupsError) as caught:
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER), panel.client(), FakeClock())
    message = str(caught.value)
    assert f"backup 501 of server {SERVER} ended with status {final!r}" in message
    assert "the unfinished backup 501 was deleted" in message
    assert panel.backups == {} and panel.calls("DELETE") == ["DELETE /api/v1/backups/501/"]


def test_timed_out_backup_is_deleted() -> None:
    panel = FakePanel(polls_to_finish=10**6)
    args = VpsBackupArgs.model_validate({"server_id": SERVER, "timeouts": {"create": 30}})
    clock = FakeClock()
    with pytest.raises(BackupsError, match=r"timed out after 30 s .*'in_progress'.*was deleted"):
        PROVIDER.create_resource(args, panel.client(), clock)
    assert clock.t == pytest.approx(30) and panel.backups == {}


def test_backup_that_cannot_be_deleted_is_named_in_the_error() -> None:
    panel = FakePanel(final_status="failed", delete_fails=True)
    with pytest.raises(BackupsError) as caught:
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER), panel.client(), FakeClock())
    message = str(caught.value)
    assert "backup 501 of server 12345 was LEFT BEHIND" in message
    assert "Backup is busy." in message and "DELETE /api/v1/backups/501/" in message


def test_backup_vanishing_during_the_wait_fails_the_create() -> None:
    panel = FakePanel(polls_to_finish=5)
    original = panel.handle

    def vanish(request: Any) -> Any:
        if request.method == "GET":
            panel.backups.clear()
        return original(request)

    panel.handle = vanish  # type: ignore[method-assign]
    with pytest.raises(BackupsError, match=r"status 'missing'.*no longer exists"):
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER), panel.client(), FakeClock())


def test_create_on_unknown_server_raises_not_found() -> None:
    panel = FakePanel()
    with pytest.raises(NotFoundError, match="server 99999"):
        PROVIDER.create_resource(VpsBackupArgs(server_id=99999), panel.client(), FakeClock())
    assert panel.backups == {}


def test_read_finds_the_backup_or_reports_it_gone() -> None:
    panel = FakePanel(page_size=1)
    panel.add(499)
    panel.add(501)
    args = VpsBackupArgs(server_id=SERVER)
    outs = PROVIDER.read_resource(f"{SERVER}/501", args, {}, client=panel.client())
    assert outs is not None and outs["backup_id"] == 501 and outs["status"] == "completed"
    panel.backups.pop(501)
    assert PROVIDER.read_resource(f"{SERVER}/501", args, {}, client=panel.client()) is None


def test_malformed_id_is_a_clear_error() -> None:
    args = VpsBackupArgs(server_id=SERVER)
    with pytest.raises(BackupsError, match=r"malformed VpsBackup id '12345/x'"):
        PROVIDER.read_resource("12345/x", args, {}, client=FakePanel().client())


def test_delete_is_idempotent() -> None:
    panel = FakePanel()
    panel.add(501)
    args = VpsBackupArgs(server_id=SERVER)
    PROVIDER.delete_resource(f"{SERVER}/501", args, {}, client=panel.client())
    PROVIDER.delete_resource(f"{SERVER}/501", args, {}, client=panel.client())
    # The second delete finds the backup gone in its server's listing and sends no DELETE.
    assert panel.backups == {} and len(panel.calls("DELETE")) == 1


def test_create_whose_answer_is_lost_warns_of_a_possible_backup() -> None:
    panel = FakePanel(faults=[(500, {"detail": "Internal error."})])
    with pytest.raises(BackupsError, match=r"HTTP 500.*may have started a backup of server 12345"):
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER), panel.client(), FakeClock())
    panel = FakePanel(faults=[(503, None)] * 6)
    with pytest.raises(ServerError) as caught:  # refused: nothing can have been started
        PROVIDER.create_resource(VpsBackupArgs(server_id=SERVER), panel.client(), FakeClock())
    assert "may have started" not in str(caught.value)
