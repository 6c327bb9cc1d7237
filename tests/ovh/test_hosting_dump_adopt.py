"""A dump create whose answer is lost or garbled finds the dump it made: the one dump of its
database and type, new since the request, that no other create of this process claimed.

Against the sandbox (the server acts, its answer is lost on the way back), with the
provider's waits on a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.fakes import FakeClock
from support.ovh import fast_ovh_client, hosting_with_database

from pulumi_backups.core.errors import BackupsError, ServerError
from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.client import OvhClient, clients
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.hosting_database_dump import HostingDatabaseDumpProvider
from pulumi_backups.ovh.hosting_operations import Claims
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import Sandbox

SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxapp.mysql.db"
BASE = {"service_name": SN, "database_name": DB}
WEB = "/1.0/hosting/web/{serviceName}"
POST_DUMP = f"POST {WEB}/database/{{name}}/dump"
DUMPS = f"GET {WEB}/database/{{name}}/dump"
LISTING = f"GET /hosting/web/{SN}/database/{DB}/dump"
FAST = WaitPolicy(timeout=5)
Meanwhile = Callable[[], None]


class AnswerLost(OvhClient):
    """A client whose dump requests reach the server (unless ``acts`` is false) and whose
    answers are lost on the way back; ``meanwhile`` runs after the server acted."""

    acts = True
    meanwhile: Meanwhile = staticmethod(lambda: None)

    def post(self, path: str, **body: Any) -> Any:
        if not path.endswith("/dump"):
            return super().post(path, **body)
        if self.acts:
            super().post(path, **body)
        self.meanwhile()
        raise ServerError(f"POST {path}", 500, "Internal server error")


@pytest.fixture
def api(sandbox: Sandbox, clock: FakeClock) -> HostingApi:
    """A bystander's view of the sandbox's hosting API, with one database ``DB``."""
    hosting = hosting_with_database(fast_ovh_client(sandbox, clock=clock))
    return hosting


@pytest.fixture
def lost(sandbox: Sandbox, clock: FakeClock) -> Iterator[AnswerLost]:
    """The client every provider of the test gets: its dump answers are lost."""
    client = AnswerLost(sandbox.ovh_settings(), RetryPolicy(base=0.0, cap=0.0), clock.clock())
    with clients.substitute(client):
        yield client


def stored(sandbox: Sandbox) -> dict[int, dict[str, Any]]:
    return {d["id"]: d for d in sandbox.objects().get("ovh:hosting:dump", {}).values()}


def create(**more: Any) -> tuple[str, dict[str, Any]]:
    result = HostingDatabaseDumpProvider().create({**BASE, **more})
    return str(result.id), dict(result.outs or {})


def test_a_lost_answer_still_gives_the_dump_made(
    api: HostingApi, lost: AnswerLost, sandbox: Sandbox, claims: Claims
) -> None:
    older = wait_hosting(api, api.create_dump(DB, "now", False), FAST)  # listed before
    id_, outs = create()
    (made,) = [d for d in stored(sandbox).values() if d["taskId"] != older.id]
    assert id_ == f"{SN}/{DB}/{made['id']}" and outs["dump_id"] == made["id"]
    assert outs["status"] == "created" and outs["url"]
    assert claims.claimed(SN, api.dump(DB, made["id"]))  # no other create may take it now


@pytest.mark.parametrize("body", ["truncated", "empty", "204"])
def test_a_garbled_answer_still_gives_the_dump_made(
    api: HostingApi, sandbox: Sandbox, body: str
) -> None:
    sandbox.fault(f"body:{body}", POST_DUMP)
    with clients.substitute(api.client):
        _, outs = create()
    assert list(stored(sandbox)) == [outs["dump_id"]]


def test_a_dump_listed_late_is_read_again_with_the_waits_pacing(
    api: HostingApi, lost: AnswerLost, sandbox: Sandbox, clock: FakeClock
) -> None:
    lost.meanwhile = lambda: sandbox.fault(f"omit:{max(stored(sandbox))}", DUMPS, count=5)
    _, outs = create()
    assert list(stored(sandbox)) == [outs["dump_id"]]
    assert clock.sleeps and clock.sleeps == sorted(clock.sleeps)  # paced, not fixed


def test_a_dump_another_create_of_the_process_claimed_is_never_taken(
    api: HostingApi, lost: AnswerLost, sandbox: Sandbox
) -> None:
    """A create whose answer was good (here: the bystander's, made while ours was lost)
    claims its task: the create that lists takes the other new dump, its own."""
    good: list[dict[str, Any]] = []

    def another_create() -> None:
        with clients.substitute(api.client):
            good.append(create()[1])

    lost.meanwhile = another_create
    _, outs = create()
    assert sorted(stored(sandbox)) == sorted([good[0]["dump_id"], outs["dump_id"]])
    assert good[0]["dump_id"] != outs["dump_id"]


def test_two_new_dumps_nothing_tells_apart_are_named_and_none_taken(
    api: HostingApi, lost: AnswerLost, sandbox: Sandbox
) -> None:
    lost.meanwhile = lambda: wait_hosting(api, api.create_dump(DB, "now", False), FAST)
    with pytest.raises(BackupsError) as caught:
        create()
    message = str(caught.value)
    both = sorted(stored(sandbox))
    assert len(both) == 2 and all(str(i) in message for i in both), message
    assert "none is managed by this stack" in message
    assert sorted(stored(sandbox)) == both  # none deleted


def test_a_new_dump_of_another_type_is_not_the_one_made(
    api: HostingApi, lost: AnswerLost, sandbox: Sandbox
) -> None:
    lost.meanwhile = lambda: wait_hosting(api, api.create_dump(DB, "daily.1", False), FAST)
    _, outs = create()
    assert stored(sandbox)[outs["dump_id"]]["type"] == "now"
    assert len(stored(sandbox)) == 2


def test_no_dump_listed_by_the_deadline_says_one_may_exist(
    api: HostingApi, lost: AnswerLost, sandbox: Sandbox, clock: FakeClock
) -> None:
    lost.acts = False  # the request never reached the server: nothing will be listed
    with pytest.raises(BackupsError) as caught:
        create(timeouts={"create": 60})
    message = str(caught.value)
    assert "none was listed within the deadline" in message
    assert f"may exist that is not managed by this stack: find it with {LISTING}" in message
    assert 60 <= clock.t <= 60 + 10 and len(clock.sleeps) < 60
    assert stored(sandbox) == {}


def test_an_endless_task_of_a_lost_answer_ends_at_the_deadline(
    api: HostingApi, lost: AnswerLost, sandbox: Sandbox, clock: FakeClock
) -> None:
    sandbox.script("hosting:dump/create", "hang")  # its dump is never listed
    with pytest.raises(BackupsError, match="may exist that is not managed by this stack"):
        create(timeouts={"create": 30})
    assert clock.t <= 30 + 10


def test_the_dump_found_whose_task_failed_is_deleted(
    api: HostingApi, lost: AnswerLost, sandbox: Sandbox
) -> None:
    """As with a good answer, the dump's own task is followed: one said failed is deleted."""
    sandbox.fault('set:status="cancelled"', f"GET {WEB}/tasks/{{id}}", count=None)
    with pytest.raises(BackupsError) as caught:
        create()
    sandbox.clear_faults()
    assert "deleting dump" in str(caught.value)
    assert all(d["status"] == "deleting" for d in stored(sandbox).values())
