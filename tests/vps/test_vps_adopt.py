"""A create whose answer cannot be believed (lost, garbled, about another backup) adopts the
backup it made: the one manual backup of its server and description that the server did not
list before the POST and no other create of the process took, looked for until listed within
the deadline. Two or more: an error naming them, none taken or deleted; none: "may exist".
Against the sandbox's panel through a lying proxy (`sandbox.fault`), on a fake clock.
"""

from __future__ import annotations

import httpx
import pytest
from support.vps import CREATE, SERVER, SandboxVps

from pulumi_backups.core.errors import ApiError, WaitTimeoutError
from pulumi_backups.core.partial import IncompleteCreateError, partial_results
from pulumi_backups.vps import operations
from pulumi_backups.vps.models import CreateBackupRequest
from pulumi_backups.vps.vps_backup import VpsBackupArgs, VpsBackupProvider

PROVIDER = VpsBackupProvider()
ARGS = VpsBackupArgs(server_id=SERVER, description="pre-deploy")
REQUEST = CreateBackupRequest(server_id=SERVER, description="pre-deploy")
MANUAL = f"GET /api/v1/backups/?server_id={SERVER}&backup_type=manual"
EMPTY_PAGE = {"count": 0, "next": None, "results": []}


def create() -> tuple[str, dict[str, object]]:
    return PROVIDER.create_resource(ARGS)


def _existing(vps_api: SandboxVps) -> int:
    (backup_id,) = vps_api.add()
    vps_api.clock.sleep(operations.REFRESH_MAX_AGE + 1)  # the create lists afresh
    return backup_id


def assert_adopted(
    vps_api: SandboxVps, made: tuple[str, dict[str, object]], backup_id: int
) -> None:
    id_, outputs = made
    assert id_ == f"{SERVER}/{backup_id}" and outputs["backup_id"] == backup_id
    assert outputs["status"] == "completed"  # awaited as after a good answer
    assert vps_api.calls("DELETE") == []


@pytest.mark.parametrize(
    "lie",
    [
        "lost-500",
        "lost-drop",
        "body:truncated",
        "body:empty",
        "body:204",
        "body:html",
        "body:deep",
        "set:server.id=54321",
        'set:description="other"',
    ],
)
def test_a_create_answer_that_cannot_be_believed_adopts_the_backup_made(
    vps_api: SandboxVps, lie: str
) -> None:
    existing = _existing(vps_api)  # another backup, of no description: never a candidate
    vps_api.sandbox.fault(lie, CREATE)
    made = create()
    assert_adopted(vps_api, made, existing + 1)
    assert sorted(vps_api.backups()) == [existing, existing + 1]


def test_an_answer_naming_a_backup_listed_before_adopts_the_one_made(vps_api: SandboxVps) -> None:
    old = vps_api.operator.create_backup(REQUEST).id  # same server and description
    vps_api.clock.sleep(operations.REFRESH_MAX_AGE + 1)
    vps_api.sandbox.fault(f"set:id={old}", CREATE)
    assert_adopted(vps_api, create(), old + 1)
    assert sorted(vps_api.backups()) == [old, old + 1]


def test_an_answer_naming_a_sibling_made_meanwhile_adopts_the_one_made(vps_api: SandboxVps) -> None:
    """A sibling's backup (another description), made after this create's look at the
    listing: the wait reads its description, and the one made is found by listing."""

    def sibling(request: httpx.Request) -> None:
        if request.method == "POST":
            vps_api.answer = None
            vps_api.operator.create_backup(CreateBackupRequest(server_id=SERVER, description="x"))
            vps_api.sandbox.fault("set:id=501", CREATE)  # the sibling's id

    vps_api.answer = sibling
    assert_adopted(vps_api, create(), 502)
    assert sorted(vps_api.backups()) == [501, 502]


def test_a_backup_listed_late_is_looked_for_again(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("body:empty", CREATE)
    late = [httpx.Response(200, json=EMPTY_PAGE) for _ in range(3)]  # after the POST

    def listing(request: httpx.Request) -> httpx.Response | None:
        posted = bool(vps_api.calls("POST"))
        return late.pop(0) if posted and request.method == "GET" and late else None

    vps_api.answer = listing
    assert_adopted(vps_api, create(), 501)
    assert vps_api.clock.sleeps and sum(vps_api.clock.sleeps) < operations.LISTED_WITHIN


def test_two_candidates_are_an_error_naming_both_and_none_is_taken(vps_api: SandboxVps) -> None:
    """Another program made a backup of the same server and description meanwhile."""

    def other_program(request: httpx.Request) -> None:
        if request.method == "POST":
            vps_api.answer = None
            vps_api.operator.create_backup(REQUEST)
            vps_api.sandbox.fault("body:truncated", CREATE)  # this create's answer

    vps_api.answer = other_program
    with pytest.raises(ApiError) as caught:
        create()
    message = str(caught.value)
    assert "malformed answer: not JSON" in message
    assert "backups 501, 502 of server 12345 with description 'pre-deploy'" in message
    assert "nothing tells which one it made: none is taken, none deleted" in message
    assert MANUAL in message
    assert sorted(vps_api.backups()) == [501, 502] and vps_api.calls("DELETE") == []


def test_a_backup_another_create_of_the_process_took_is_no_candidate(vps_api: SandboxVps) -> None:
    """Two creates of the same server and description at once: the second's POST made 502
    and took it (a good answer) while the first's answer (501) was lost; both began before
    either backup was listed, so the first finds 501 and 502, and 502 is taken."""
    client = vps_api.client()

    def lost_after_a_sibling(request: httpx.Request) -> httpx.Response | None:
        if request.method != "POST":
            return None
        vps_api.answer = None
        vps_api.relay(request)  # 501 made; its answer is lost after the sibling's create
        sibling = operations.create_backup(client, REQUEST, PROVIDER.wait_policy(ARGS, "create"))
        assert sibling.id == 502
        return httpx.Response(500, json={"detail": "Server Error"})

    vps_api.answer = lost_after_a_sibling
    made = operations.create_backup(client, REQUEST, PROVIDER.wait_policy(ARGS, "create"))
    assert made.id == 501 and made.status == "completed"
    assert sorted(vps_api.backups()) == [501, 502] and vps_api.calls("DELETE") == []


def test_none_listed_by_the_deadline_says_one_may_exist(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("500", CREATE)  # a 500 the panel may have acted on; it did not
    with pytest.raises(ApiError) as caught:
        create()
    message = str(caught.value)
    assert "HTTP 500" in message and MANUAL in message
    assert f"may have started a backup of server {SERVER}" in message
    assert "looked for it since: none listed" in message
    assert operations.LISTED_WITHIN <= vps_api.clock.t < operations.LISTED_WITHIN + 15
    assert vps_api.backups() == {}


def test_the_look_ends_at_a_shorter_deadline(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("500", CREATE)
    args = VpsBackupArgs.model_validate({"server_id": SERVER, "timeouts": {"create": 5}})
    with pytest.raises(ApiError, match="none listed"):
        PROVIDER.create_resource(args)
    assert vps_api.clock.t <= 5 + 1


def test_an_adopted_backup_that_outlives_the_deadline_is_kept_under_the_plugin(
    vps_api: SandboxVps,
) -> None:
    vps_api.pace(task_seconds=1000, step=1)
    vps_api.sandbox.fault("body:truncated", CREATE)
    args = VpsBackupArgs.model_validate(
        {"server_id": SERVER, "description": "pre-deploy", "timeouts": {"create": 30}}
    )
    with partial_results(), pytest.raises(IncompleteCreateError) as caught:
        PROVIDER.create_resource(args)
    err = caught.value
    assert err.id == f"{SERVER}/501" and isinstance(err.cause, WaitTimeoutError)
    assert err.outputs["status"] == "in_progress"
    assert list(vps_api.backups()) == [501] and vps_api.calls("DELETE") == []


def test_an_adopted_backup_that_outlives_the_deadline_is_deleted_in_the_dynamic_path(
    vps_api: SandboxVps,
) -> None:
    vps_api.sandbox.script("vps:backup/create", "hang")
    vps_api.sandbox.fault("lost-500", CREATE)
    args = VpsBackupArgs.model_validate({"server_id": SERVER, "timeouts": {"create": 30}})
    with pytest.raises(WaitTimeoutError, match="unfinished backup 501 was deleted"):
        PROVIDER.create_resource(args)
    assert vps_api.backups() == {}


def test_a_backup_whose_create_awaits_its_answer_is_not_taken(vps_api: SandboxVps) -> None:
    """While a create of the same server and description awaits its answer (its backup 501
    listed already), a create whose POST failed without acting finds 501 alone: it may be
    the other's, so it is not taken; the other create takes it."""
    client = vps_api.client()
    policy = PROVIDER.wait_policy(ARGS, "create")
    failed: list[str] = []

    def answer_after_another(request: httpx.Request) -> httpx.Response | None:
        if request.method != "POST":
            return None
        vps_api.answer = None
        response = vps_api.relay(request)  # 501 made; its answer comes after the other's
        vps_api.sandbox.fault("500", CREATE)  # the other's POST: refused, nothing made
        with pytest.raises(ApiError) as caught:
            operations.create_backup(client, REQUEST, policy)
        failed.append(str(caught.value))
        return response

    vps_api.answer = answer_after_another
    made = operations.create_backup(client, REQUEST, policy)
    assert made.id == 501 and made.status == "completed"
    (message,) = failed
    assert "HTTP 500" in message and MANUAL in message
    assert "listed: backup 501, while another create of the same was awaiting its answer" in (
        message
    )
    assert list(vps_api.backups()) == [501] and vps_api.calls("DELETE") == []
