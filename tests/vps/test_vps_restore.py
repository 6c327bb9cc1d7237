"""VpsRestore: check refuses non-integer ids; create restores (on the sandbox's vps_api) and
waits for the server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.vps import SERVER, SandboxVps, no_server_route

from pulumi_backups.core.errors import (
    RESTORE_GOES_ON,
    BadRequestError,
    NotFoundError,
    TaskFailedError,
    WaitTimeoutError,
)
from pulumi_backups.core.ids import split_id
from pulumi_backups.vps.models import NOT_AWAITED
from pulumi_backups.vps.vps_restore import ID_SHAPE, VpsRestoreArgs, VpsRestoreProvider

PROVIDER = VpsRestoreProvider()
ARGS = VpsRestoreArgs(server_id=SERVER, backup_id=501)


@pytest.mark.parametrize("given", [501, 501.0, "501"])
def test_check_normalizes_backup_id_to_int(given: Any) -> None:
    result = PROVIDER.check({}, {"__provider": "p", "server_id": SERVER, "backup_id": given})
    assert result.failures == []
    assert result.inputs == {"server_id": SERVER, "backup_id": 501}
    assert type(result.inputs["backup_id"]) is int


@pytest.mark.parametrize("given", [501.5, "501a", "latest", "", None, [501], False])
def test_check_refuses_a_backup_id_that_is_not_an_integer(given: Any) -> None:
    result = PROVIDER.check({}, {"server_id": SERVER, "backup_id": given})
    assert [f.property for f in result.failures] == ["backup_id"]
    assert result.failures[0].reason


def test_diff_restores_again_on_triggers_or_other_backup() -> None:
    olds = {"__provider": "p", "server_id": 12345.0, "backup_id": 501.0, "status": "completed"}
    same = PROVIDER.diff("id", olds, {"server_id": SERVER, "backup_id": 501})
    assert not same.changes
    other = PROVIDER.diff("id", olds, {"server_id": SERVER, "backup_id": 502})
    assert other.replaces == ["backup_id"]
    again = PROVIDER.diff("id", olds, {"server_id": SERVER, "backup_id": 501, "triggers": 2})
    assert again.replaces == ["triggers"]


RESTORE = f"POST /api/v1/servers/{SERVER}/restore/"


def _create(vps_api: SandboxVps, args: VpsRestoreArgs = ARGS) -> tuple[str, dict[str, Any]]:
    assert vps_api.add() == [501]
    return PROVIDER.create_resource(args)


def test_create_waits_until_the_server_runs_again(vps_api: SandboxVps) -> None:
    assert vps_api.add() == [501]
    vps_api.pace(task_seconds=100, step=60)  # the server restores through the first two polls
    resource_id, outs = PROVIDER.create_resource(ARGS)
    assert resource_id == f"{SERVER}/restore/501/1700500"  # the client's wall clock: 1700.5 s
    assert split_id(resource_id, ID_SHAPE) == [str(SERVER), "501", "1700500"]
    assert outs == {"status": "completed"}
    assert vps_api.calls() == [RESTORE] + [f"GET /api/v1/servers/{SERVER}/"] * 3


def test_create_without_a_server_route_finishes_and_says_so(vps_api: SandboxVps) -> None:
    vps_api.answer = no_server_route
    _, outs = _create(vps_api)
    assert outs == {"status": NOT_AWAITED} and "not awaited" in NOT_AWAITED


def test_create_does_not_wait_when_the_panel_says_it_is_done(vps_api: SandboxVps) -> None:
    vps_api.answer_first(httpx.Response(202, json={"status": "completed", "server_id": SERVER}))
    _, outs = _create(vps_api)
    assert outs == {"status": "completed"}
    assert vps_api.calls("GET") == []


def test_server_failing_to_come_back_fails_the_create(vps_api: SandboxVps) -> None:
    vps_api.sandbox.script("vps:server/restore", "fail")  # the server ends in `error`
    with pytest.raises(TaskFailedError, match=r"server 12345 to come back .*backup 501.*'error'"):
        _create(vps_api)


def test_server_never_coming_back_times_out(vps_api: SandboxVps) -> None:
    vps_api.sandbox.script("vps:server/restore", "hang")
    args = VpsRestoreArgs.model_validate({**ARGS.model_dump(), "timeouts": {"create": 5}})
    with pytest.raises(WaitTimeoutError, match="last status: 'restoring'") as info:
        _create(vps_api, args)
    assert RESTORE_GOES_ON in str(info.value)  # the note of every restore past its deadline


def test_unknown_backup_is_refused_naming_the_call(vps_api: SandboxVps) -> None:
    args = VpsRestoreArgs(server_id=SERVER, backup_id=9)
    with pytest.raises(BadRequestError, match=f"{RESTORE} .*Invalid pk"):  # the sandbox: 400
        PROVIDER.create_resource(args)
    vps_api.answer_first(httpx.Response(404, json={"detail": "Not found."}))  # a panel: 404
    with pytest.raises(NotFoundError, match=RESTORE):
        PROVIDER.create_resource(args)


def test_read_and_update_keep_the_recorded_status() -> None:
    props = {"server_id": SERVER, "backup_id": 501, "status": "completed"}
    assert PROVIDER.read_resource(f"{SERVER}/restore/501/1", ARGS, props) == {"status": "completed"}
    assert PROVIDER.update_resource(f"{SERVER}/restore/501/1", props, ARGS) == {
        "status": "completed"
    }


def test_delete_calls_nothing_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    PROVIDER.delete_resource(f"{SERVER}/restore/501/1", ARGS, {})
    assert "nothing to delete" in capsys.readouterr().err
