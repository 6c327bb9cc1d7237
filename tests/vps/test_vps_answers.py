"""Answers that cannot be believed, against the sandbox's panel through a lying proxy
(`sandbox.fault("set:...")`, `omit:`, `body:`): a listing proves a backup gone only when
complete and consistent (read again when in doubt), a create answer about another backup is
never taken over, a garbled one says what may exist, a delete is sent unless proven needless.
"""

from __future__ import annotations

import json

import httpx
import pytest
from support.vps import LIST, SERVER, SandboxVps

from pulumi_backups.core.errors import ApiError, BackupsError, WaitTimeoutError
from pulumi_backups.core.partial import IncompleteCreateError, partial_results
from pulumi_backups.vps.listings import READINGS
from pulumi_backups.vps.models import RestoreRequest
from pulumi_backups.vps.vps_backup import VpsBackupArgs, VpsBackupProvider
from pulumi_backups.vps.vps_restore import VpsRestoreArgs, VpsRestoreProvider

PROVIDER = VpsBackupProvider()
ARGS = VpsBackupArgs(server_id=SERVER, description="pre-deploy")
DELETE = "DELETE /api/v1/backups/{backup_id}/"
MANUAL = f"GET /api/v1/backups/?server_id={SERVER}&backup_type=manual"


def read(backup_id: int) -> dict[str, object] | None:
    return PROVIDER.read_resource(f"{SERVER}/{backup_id}", ARGS, {})


def delete(backup_id: int) -> None:
    PROVIDER.delete_resource(f"{SERVER}/{backup_id}", ARGS, {})


# -- listings: gone only on proof -----------------------------------------------------------


def test_a_listing_that_omits_the_backup_once_is_read_again(vps_api: SandboxVps) -> None:
    first, *_ = vps_api.add(3)
    vps_api.sandbox.fault(f"omit:{first}", LIST)  # count 3, two entries: not a whole listing
    assert read(first) is not None
    vps_api.sandbox.fault(f"omit:{first}", LIST)
    delete(first)
    assert first not in vps_api.backups() and vps_api.calls("DELETE") == [
        f"DELETE /api/v1/backups/{first}/"
    ]


@pytest.mark.parametrize(
    "lie",
    ["omit:501", "set:results=[]", "set:count=0", "pad:2", "body:empty", "body:204", "body:html"],
)
def test_a_listing_that_always_lies_is_an_error_and_the_backup_stays(
    vps_api: SandboxVps, lie: str
) -> None:
    (backup_id,) = vps_api.add()
    vps_api.sandbox.fault(lie, LIST, count=None)
    for operation in (read, delete):
        with pytest.raises(ApiError) as caught:
            operation(backup_id)
        assert caught.value.call == "GET /api/v1/backups/"
    vps_api.sandbox.clear_faults()
    assert list(vps_api.backups()) == [backup_id] and vps_api.calls("DELETE") == []


def test_a_listing_that_keeps_shifting_is_read_a_bounded_number_of_times(
    vps_api: SandboxVps,
) -> None:
    (backup_id,) = vps_api.add()
    vps_api.sandbox.fault("set:count=2", LIST, count=None)
    with pytest.raises(ApiError, match=rf"1 backups were read where its count says 2.*{READINGS}"):
        read(backup_id)
    assert len(vps_api.calls("GET")) == READINGS
    assert len(vps_api.clock.sleeps) == READINGS - 1  # a pause between readings, on its clock


def test_an_entry_of_another_server_is_a_lie_not_an_absence(vps_api: SandboxVps) -> None:
    (backup_id,) = vps_api.add()
    vps_api.sandbox.fault("set:results.*.server.id=54321", LIST, count=None)
    for operation in (read, delete):
        with pytest.raises(ApiError, match=r"another object \(server 54321\)"):
            operation(backup_id)
    vps_api.sandbox.clear_faults()
    assert list(vps_api.backups()) == [backup_id] and vps_api.calls("DELETE") == []


def _shrinking(vps_api: SandboxVps, backup_id: int) -> None:
    """Out of band, `backup_id` is deleted once the first page of a listing has been read:
    its later page is gone ("Invalid page.") or starts one entry further on."""

    def answer(request: httpx.Request) -> None:
        if (
            request.method == "GET"
            and "page=" in str(request.url)
            and backup_id in vps_api.backups()
        ):
            vps_api.operator.delete_backup(backup_id)

    vps_api.answer = answer


def test_a_page_gone_while_read_makes_the_listing_read_again(vps_api: SandboxVps) -> None:
    made = vps_api.add(51)  # two pages, the second of one entry
    _shrinking(vps_api, made[-1])  # the newest, on page one: page two goes
    assert read(made[0]) is not None
    pages = [str(r.url) for r in vps_api.requests if r.method == "GET"]
    assert len(pages) == 3 and "page=2" in pages[1] and "page=2" not in pages[2]
    assert vps_api.responses[1].json() == {"detail": "Invalid page."}


def test_a_count_that_changes_between_pages_makes_the_listing_read_again(
    vps_api: SandboxVps,
) -> None:
    made = vps_api.add(52)
    _shrinking(vps_api, made[-1])  # page two still exists, one entry further on, count 51
    assert read(made[1]) is not None  # on page two, which skipped it the first time
    assert len(vps_api.calls("GET")) == 4


def test_absence_is_believed_after_a_second_listing(vps_api: SandboxVps) -> None:
    (backup_id,) = vps_api.add()
    vps_api.operator.delete_backup(backup_id)
    assert read(backup_id) is None
    assert len(vps_api.calls("GET")) == 2
    delete(backup_id)  # proven gone again: no DELETE
    # The first read's second listing is recent: one more listing confirms the absence.
    assert vps_api.calls("DELETE") == [] and len(vps_api.calls("GET")) == 3


def test_a_recent_listing_proves_ownership_for_many_deletes(vps_api: SandboxVps) -> None:
    made = vps_api.add(60)
    for backup_id in made[:40]:
        delete(backup_id)
    assert len(vps_api.calls("DELETE")) == 40 and len(vps_api.calls("GET")) == 2  # one listing
    assert sorted(vps_api.backups()) == made[40:]
    assert read(made[0]) is None  # the deletes' own: forgotten, then proven gone


def test_a_delete_whose_answer_is_lost_is_sent_again_and_its_404_is_gone(
    vps_api: SandboxVps,
) -> None:
    (backup_id,) = vps_api.add()
    vps_api.sandbox.fault("lost-500", DELETE)  # the panel deleted it; the answer is lost
    delete(backup_id)  # sent again: the panel's own 404, gone
    assert vps_api.backups() == {} and len(vps_api.calls("DELETE")) == 2
    assert vps_api.responses[-1].json() == {"detail": "Not found."}


# -- creates: the backup made, and no other (the adoption rule: tests/vps/test_vps_adopt.py)


def test_a_create_that_times_out_under_the_plugin_is_kept(vps_api: SandboxVps) -> None:
    vps_api.pace(task_seconds=1000, step=1)
    args = VpsBackupArgs.model_validate(
        {"server_id": SERVER, "description": "pre-deploy", "timeouts": {"create": 30}}
    )
    with partial_results(), pytest.raises(IncompleteCreateError) as caught:
        PROVIDER.create_resource(args)
    err = caught.value
    assert err.id == f"{SERVER}/501" and isinstance(err.cause, WaitTimeoutError)
    assert err.outputs["backup_id"] == 501 and err.outputs["status"] == "in_progress"
    assert list(vps_api.backups()) == [501] and vps_api.calls("DELETE") == []
    # The next up's update waits for it to complete.
    vps_api.sandbox.advance(1000)
    outs = PROVIDER.update_resource(err.id, dict(err.outputs), args)
    assert outs["status"] == "completed" and outs["backup_id"] == 501


def test_a_create_that_times_out_in_the_dynamic_path_is_cleaned_up(vps_api: SandboxVps) -> None:
    vps_api.sandbox.script("vps:backup/create", "hang")
    args = VpsBackupArgs.model_validate({"server_id": SERVER, "timeouts": {"create": 30}})
    with pytest.raises(BackupsError, match="was deleted"):
        PROVIDER.create_resource(args)
    assert vps_api.backups() == {}


# -- restores -------------------------------------------------------------------------------


RESTORE = "POST /api/v1/servers/{server_id}/restore/"


@pytest.mark.parametrize(
    ("lie", "said"),
    [
        ("set:server_id=54321", "another object (server_id 54321)"),
        ("set:backup_id=777", "another object (backup_id 777)"),
        ("body:empty", "malformed answer: no body"),
        ("body:truncated", "malformed answer: not JSON"),
    ],
)
def test_a_restore_answer_that_cannot_be_believed_says_what_may_run(
    vps_api: SandboxVps, lie: str, said: str
) -> None:
    (backup_id,) = vps_api.add()
    vps_api.sandbox.fault(lie, RESTORE)
    args = VpsRestoreArgs(server_id=SERVER, backup_id=backup_id)
    with pytest.raises(ApiError) as caught:
        VpsRestoreProvider().create_resource(args)
    message = str(caught.value)
    assert said in message
    assert f"may have started restoring server {SERVER} from backup {backup_id}" in message


def test_a_server_answer_about_another_server_is_an_error(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("set:id=54321", "GET /api/v1/servers/{server_id}/")
    with pytest.raises(ApiError, match=r"another object \(id 54321\)"):
        vps_api.client().get_server(SERVER)


def test_request_bodies_are_what_the_docs_show(vps_api: SandboxVps) -> None:
    (backup_id,) = vps_api.add()
    client = vps_api.client()
    client.restore_server(RestoreRequest(server_id=SERVER, backup_id=backup_id))
    assert json.loads(vps_api.requests[-1].content) == {"backup_id": backup_id}
