"""Answers that lie or are garbled, against the sandbox's lying proxy, on a fake clock that
moves the sandbox's with it: a backup is what was asked for, never what an answer claims.

A create answer about another backup never makes the operation take that one (the backup
made is found by listing, or named in the error); a read about another backup is an error;
a malformed answer is an ApiError naming the call; a server Date far off is not believed;
a ready backup is never deleted for its export's failure, and through an adapter that keeps
unfinished creates, a create that did not finish is kept and finished by the next update.
"""

from __future__ import annotations

import json

import pytest
from support.scaleway import INSTANCE, SandboxRdb

from pulumi_backups.core.errors import ApiError, WaitTimeoutError
from pulumi_backups.core.partial import IncompleteCreateError, partial_results
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.scaleway import operations
from pulumi_backups.scaleway.models import (
    CreateBackupRequest,
    RestoreBackupRequest,
    UpdateBackupRequest,
)

POLICY = WaitPolicy(timeout=300)
REQUEST = CreateBackupRequest(instance_id=INSTANCE, database_name="app", name="nightly")
BACKUPS = "/rdb/v1/regions/{region}/backups"
CREATE, LIST = f"POST {BACKUPS}", f"GET {BACKUPS}"
GET, EXPORT = f"GET {BACKUPS}/{{backup_id}}", f"POST {BACKUPS}/{{backup_id}}/export"
TEN_YEARS = 315360000


def _create(rdb_api: SandboxRdb, export: bool = False, policy: WaitPolicy = POLICY) -> str:
    return operations.create(rdb_api.client(), "fr-par", REQUEST, export=export, policy=policy).id


def _made(rdb_api: SandboxRdb, older: set[str]) -> str:
    """The one backup on the server that is not among ``older``."""
    (made,) = {b.id for b in rdb_api.operator.list_backups("fr-par")} - older
    return made


# -- create answers about another backup ---------------------------------------------------------


@pytest.mark.parametrize("same_name", [False, True])
def test_a_create_answer_naming_an_existing_backup_takes_the_one_made(
    rdb_api: SandboxRdb, sandbox: Sandbox, same_name: bool
) -> None:
    """The answer says `id` of a backup made a minute before (of the same name, or not): the
    read-back describes another backup, the listing finds the one made since the request."""
    older = rdb_api.add(name="nightly" if same_name else "weekly")
    sandbox.advance(60)
    sandbox.fault(f"set:id={json.dumps(older.id)}", CREATE)
    taken = _create(rdb_api)
    assert taken == _made(rdb_api, {older.id}) != older.id
    assert not rdb_api.calls("DELETE")
    kept = rdb_api.find(older.id)
    assert kept is not None and kept.done


@pytest.mark.parametrize("lie", ['set:name="other"', 'set:database_name="app_restore"',
                                 f'set:instance_id="{"2" * 8}-1111-1111-1111-111111111111"',
                                 'set:region="nl-ams"', "body:truncated", "body:empty",
                                 "body:204", "body:html", "body:deep"])  # fmt: skip
def test_an_unusable_create_answer_is_resolved_by_listing(
    rdb_api: SandboxRdb, sandbox: Sandbox, lie: str
) -> None:
    sandbox.fault(lie, CREATE)
    taken = _create(rdb_api)
    assert taken == _made(rdb_api, set())
    assert rdb_api.calls("POST") == ["POST /rdb/v1/regions/fr-par/backups"]  # never sent again
    found = rdb_api.find(taken)
    assert found is not None and found.name == "nightly" and found.done


def test_an_unusable_create_answer_that_cannot_be_resolved_says_where_to_look(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    sandbox.fault("body:truncated", CREATE)
    sandbox.fault("500", LIST, count=None)
    with pytest.raises(ApiError) as info:
        _create(rdb_api)
    message = str(info.value)
    assert "malformed answer" in message and "may have been made, and is in no state" in message
    assert f"scw rdb backup list instance-id={INSTANCE} name=nightly region=fr-par" in message
    sandbox.clear_faults()
    assert not rdb_api.calls("DELETE") and len(rdb_api.operator.list_backups("fr-par")) == 1


def test_a_create_answer_about_an_older_backup_is_not_taken(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    """The answer says the backup was created an hour before the request (a replayed answer)."""
    older = rdb_api.add(name="nightly")
    sandbox.advance(3600)
    sandbox.fault(f"set:created_at={json.dumps(older.outputs(False)['created_at'])}", CREATE)
    taken = _create(rdb_api)
    assert taken == _made(rdb_api, {older.id}) and not rdb_api.calls("DELETE")


# -- reads about another backup ------------------------------------------------------------------


@pytest.mark.parametrize("lie", ['set:name="other"', 'set:database_name="app_restore"',
                                 'set:created_at="2020-01-01T00:00:00Z"',
                                 'set:download_url="https://elsewhere.example/x"'])  # fmt: skip
def test_a_read_about_another_backup_is_an_error(
    rdb_api: SandboxRdb, sandbox: Sandbox, lie: str
) -> None:
    client = rdb_api.client()
    made = operations.create(client, "fr-par", REQUEST, export=False, policy=POLICY)
    sandbox.fault(lie, GET)
    with pytest.raises(ApiError, match="the answer is about another object") as info:
        operations.read(client, "fr-par", made.id, made.known())
    assert made.id in str(info.value) and "elsewhere.example" not in str(info.value)


def test_a_read_naming_another_backups_link_is_an_error(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    client = rdb_api.client()
    made = operations.create(client, "fr-par", REQUEST, export=True, policy=POLICY)
    other = operations.create(client, "fr-par", REQUEST, export=True, policy=POLICY)
    assert other.download_url is not None
    sandbox.fault(f"set:download_url={json.dumps(other.download_url)}", GET)
    with pytest.raises(ApiError, match=f"download_url for '{other.id}'") as info:
        operations.read(client, "fr-par", made.id, made.known())
    assert "X-Amz-Signature" not in str(info.value)  # the link is a secret


@pytest.mark.parametrize("lie", [f'set:id="{"3" * 8}-1111-1111-1111-111111111111"',
                                 'set:region="nl-ams"'])  # fmt: skip
def test_a_read_answering_for_another_id_is_an_error(
    rdb_api: SandboxRdb, sandbox: Sandbox, lie: str
) -> None:
    backup = rdb_api.add()
    sandbox.fault(lie, GET)
    with pytest.raises(ApiError, match="the answer is about another object"):
        operations.read(rdb_api.client(), "fr-par", backup.id)


@pytest.mark.parametrize("lie", ["body:truncated", "body:empty", "body:204", "body:html",
                                 "body:deep", 'set:created_at="2026-01-01T00:00:00"',
                                 "set:status=7", "set:id=777"])  # fmt: skip
def test_a_malformed_read_is_an_api_error(rdb_api: SandboxRdb, sandbox: Sandbox, lie: str) -> None:
    backup = rdb_api.add()
    sandbox.fault(lie, GET)
    with pytest.raises(ApiError, match=r"malformed answer|about another object") as info:
        operations.read(rdb_api.client(), "fr-par", backup.id)
    assert info.value.call == f"GET /rdb/v1/regions/fr-par/backups/{backup.id}"
    assert len(str(info.value)) < 1000


ANOTHER_INSTANCE = 'set:database_backups.*.instance_id="22222222-1111-1111-1111-111111111111"'


@pytest.mark.parametrize(
    "lie", ["pad:2", "set:total_count=0", "set:total_count=5", ANOTHER_INSTANCE]
)
def test_an_inconsistent_listing_is_an_error(
    rdb_api: SandboxRdb, sandbox: Sandbox, lie: str
) -> None:
    rdb_api.add()
    rdb_api.add()
    sandbox.fault(lie, LIST, count=None)
    with pytest.raises(ApiError, match=r"malformed answer|about another object|the count says"):
        rdb_api.client().list_backups("fr-par", instance_id=INSTANCE)


# -- server clocks -------------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [TEN_YEARS, -TEN_YEARS])
def test_an_export_ends_on_time_whatever_the_servers_date(
    rdb_api: SandboxRdb, sandbox: Sandbox, shift: int
) -> None:
    """A Date ten years off is not believed: the link is judged by the client's clock. In
    the future, the export used to wait out the deadline (the link never valid) and then
    delete the backup; in the past, a dead link passed for a live one."""
    sandbox.fault(f"date:{shift:+d}", GET, count=None)
    sandbox.fault(f"date:{shift:+d}", EXPORT, count=None)
    backup = operations.create(rdb_api.client(), "fr-par", REQUEST, export=True, policy=POLICY)
    assert backup.link_valid() and rdb_api.clock.t < 60 and not rdb_api.calls("DELETE")
    assert backup.clock_note and "was judged by this machine's clock" in backup.clock_note
    sandbox.advance(2 * 86400)  # the client's clock too: the link has expired
    read = operations.read(rdb_api.client(), "fr-par", backup.id, backup.known())
    assert read is not None and not read.link_valid(margin_seconds=0)


def test_a_date_within_the_bound_is_believed(rdb_api: SandboxRdb, sandbox: Sandbox) -> None:
    sandbox.fault("date:+120", GET, count=None)
    backup = operations.create(rdb_api.client(), "fr-par", REQUEST, export=True, policy=POLICY)
    read = operations.read(rdb_api.client(), "fr-par", backup.id)
    assert read is not None and read.clock_note is None
    assert read.observed_at == read.server_date and read.server_date is not None


# -- what a create that did not finish leaves -----------------------------------------------------


def test_a_ready_backup_whose_export_fails_is_kept_in_the_state(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    """Through an adapter that keeps unfinished creates: the backup, ready, is handed back with
    its id and outputs; the next update exports it."""
    sandbox.script("scaleway:backup/export", "fail")
    with partial_results(), pytest.raises(IncompleteCreateError) as info:
        _create(rdb_api, export=True)
    (backup_id,) = rdb_api.created()
    assert info.value.id == f"fr-par/{backup_id}" and not rdb_api.calls("DELETE")
    outputs = info.value.outputs
    assert outputs["backup_id"] == backup_id and outputs["download_url"] is None
    assert "ended with status 'error'" in str(info.value)
    assert rdb_api.find(backup_id) is not None


def test_a_create_that_timed_out_is_kept_and_finished_by_the_next_update(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    sandbox.configure(task_seconds=100)
    with partial_results(), pytest.raises(IncompleteCreateError) as info:
        _create(rdb_api, export=True, policy=WaitPolicy(timeout=10))
    backup_id = info.value.outputs["backup_id"]
    assert info.value.outputs["status"] == "creating" and not rdb_api.calls("DELETE")
    assert isinstance(info.value.cause, WaitTimeoutError)
    sandbox.configure(task_seconds=0)
    known = {k: info.value.outputs[k] for k in ("name", "created_at")}
    done = operations.update(rdb_api.client(), "fr-par", backup_id, UpdateBackupRequest(),
                             export=True, policy=POLICY, known=known)  # fmt: skip
    assert done.done and done.link_valid() and rdb_api.calls("POST")[-1].endswith("/export")


def test_without_an_adapter_keeping_it_a_timed_out_create_is_cleaned_up(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    sandbox.script("scaleway:backup/create", "hang")
    with pytest.raises(WaitTimeoutError, match="could NOT be deleted"):
        _create(rdb_api, policy=WaitPolicy(timeout=5))
    assert rdb_api.calls("DELETE")


# -- restores --------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", [f"POST {BACKUPS}/{{backup_id}}/restore", GET])
def test_a_restore_answered_about_another_backup_is_an_error(
    rdb_api: SandboxRdb, sandbox: Sandbox, route: str
) -> None:
    backup, other = rdb_api.add(), rdb_api.add(name="other")
    sandbox.fault(f"set:id={json.dumps(other.id)}", route)
    request = RestoreBackupRequest(instance_id=INSTANCE, database_name="app_restore")
    with pytest.raises(ApiError, match="the answer is about another object") as info:
        operations.restore(rdb_api.client(), "fr-par", backup.id, request, POLICY)
    assert f"backup fr-par/{backup.id}" in str(info.value)
