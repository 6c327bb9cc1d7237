"""The RDB waiters: a call refused while its backup is busy is sent again once it settles, and
a poll that fails transiently is one more unanswered poll, never a status.

The client only speaks HTTP: its module neither sleeps, polls nor waits, and no call of it
takes a ``wait=``; the waiting is this module's (as the Terraform provider's rdb helpers wrap
an action in a retry on ``transient_state``)."""

from __future__ import annotations

import ast
import inspect
import re
from functools import partial
from typing import Any

import httpx
import pytest
from support.fakes import FakeClock
from support.scaleway import INSTANCE, SandboxRdb, client_for, error, recorded

from pulumi_backups.core.errors import ConflictError, RateLimitedError, WaitTimeoutError
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.scaleway import client as client_module
from pulumi_backups.scaleway import waiters
from pulumi_backups.scaleway.client import RdbClient
from pulumi_backups.scaleway.models import Backup, CreateBackupRequest
from pulumi_backups.scaleway.waiters import wait_backup, wait_gone, when_settled

CREATE = {**recorded("create_request.json"), "instance_id": INSTANCE, "database_name": "app"}
BACKUP_ID = "966dbbcc-8ffc-4ff3-9f9a-f0d332a48780"
WAITING = re.compile(r"sleep|wait|poll|settle", re.IGNORECASE)


def _answers(*responses: httpx.Response) -> tuple[list[httpx.Request], Any]:
    """A handler giving ``responses`` in order (the last one for good), and what it saw."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return seen, handle


# -- the client speaks HTTP only ---------------------------------------------------------------


def test_the_client_module_neither_sleeps_polls_nor_waits() -> None:
    tree = ast.parse(inspect.getsource(client_module))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    names |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
    assert sorted(n for n in names if WAITING.search(n)) == []


def test_no_call_of_the_client_takes_a_wait() -> None:
    for name, method in inspect.getmembers(RdbClient, inspect.isfunction):
        parameters = inspect.signature(method).parameters
        assert not [p for p in parameters if WAITING.search(p)], name


def test_finished_is_the_models_own() -> None:
    """A backup is done when ``ready``: the waiters read that, not a ``done=`` of their own."""
    assert "done" not in inspect.signature(wait_backup).parameters
    ready = Backup.from_api(recorded("get_response_ready.json"))
    creating = Backup.from_api(recorded("create_response_creating.json"))
    assert ready.done and not creating.done and not hasattr(Backup, "ready")
    assert "wait_done" in inspect.getsource(waiters)


# -- a transient poll error is no status ---------------------------------------------------------


def _endless_429() -> tuple[list[httpx.Request], RdbClient, FakeClock]:
    clock = FakeClock()
    seen, handle = _answers(error(429))
    return seen, client_for(handle, clock, attempts=1), clock


def test_a_delete_whose_polls_go_unanswered_times_out_on_its_answer_not_a_made_up_one() -> None:
    """The DELETE answered ``deleting``: the timeout says so, caused by the last 429."""
    deleting = Backup.from_api({**recorded("get_response_ready.json"), "status": "restoring"})
    seen, client, clock = _endless_429()
    with pytest.raises(WaitTimeoutError) as info:
        wait_gone(client, deleting, WaitPolicy(timeout=30))
    assert info.value.last_status == "restoring"
    assert isinstance(info.value.__cause__, RateLimitedError)
    assert len(seen) > 2 and 30 <= clock.t <= 31


def test_a_wait_whose_polls_go_unanswered_times_out_on_the_last_answer() -> None:
    """No poll answered: the status is the one the API last gave; the 429 is the cause."""
    creating = Backup.from_api(recorded("create_response_creating.json"))
    seen, client, clock = _endless_429()
    with pytest.raises(WaitTimeoutError) as info:
        wait_backup(client, creating, WaitPolicy(timeout=30), what="creation")
    assert info.value.last_status == "creating"
    assert isinstance(info.value.__cause__, RateLimitedError)
    assert len(seen) > 2 and 30 <= clock.t <= 31


def test_a_rate_limited_poll_in_between_is_one_more_poll() -> None:
    clock = FakeClock()
    creating = recorded("create_response_creating.json")
    ready = httpx.Response(200, json={**creating, "status": "ready"})
    seen, handle = _answers(error(429), error(429), ready)
    made = wait_backup(
        client_for(handle, clock, attempts=1),
        Backup.from_api(creating),
        WaitPolicy(timeout=30),
        what="creation",
    )
    assert made.done and len(seen) == 3 and len(clock.sleeps) == 2


# -- 409 transient_state -----------------------------------------------------------------------


def test_transient_state_waits_for_the_backup_then_sends_again(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    # polls 1.6 s apart (sandbox time too): still creating at the 2nd, ready at the 3rd
    sandbox.configure(task_seconds=4.0)
    backup = rdb_api.operator.create_backup("fr-par", CreateBackupRequest(**CREATE))
    wait = WaitPolicy(timeout=600, initial=1.6)
    client = rdb_api.client()
    send = partial(client.export_backup, "fr-par", backup.id)
    exported = when_settled(client, "fr-par", backup.id, send, wait)
    assert exported.status == "exporting"
    path = f"/rdb/v1/regions/fr-par/backups/{backup.id}"
    assert rdb_api.calls() == [f"POST {path}/export", f"GET {path}", f"GET {path}", f"GET {path}",
                           f"POST {path}/export"]  # fmt: skip
    assert rdb_api.clock.sleeps and rdb_api.clock.t < 5


def test_transient_state_past_the_deadline_is_a_clear_timeout(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    backup = rdb_api.add()
    sandbox.script("scaleway:backup/export", "hang")
    rdb_api.operator.export_backup("fr-par", backup.id)  # exporting, for good
    client = rdb_api.client()
    send = partial(client.delete_backup, "fr-par", backup.id)
    with pytest.raises(WaitTimeoutError) as info:
        when_settled(client, "fr-par", backup.id, send, WaitPolicy(timeout=30))
    assert backup.id in str(info.value) and "'exporting'" in str(info.value)
    assert 30 <= rdb_api.clock.t <= 31 and rdb_api.calls("DELETE")


def test_transient_state_on_create_resends_on_the_waiting_schedule() -> None:
    busy = error(409, "error_transient_state_409.json")
    seen, handle = _answers(
        busy, busy, httpx.Response(200, json=recorded("create_response_creating.json"))
    )
    clock = FakeClock()
    client = client_for(handle, clock)
    send = partial(
        client.create_backup, "fr-par", CreateBackupRequest(**recorded("create_request.json"))
    )
    created = when_settled(client, "fr-par", None, send, WaitPolicy(timeout=600))
    assert created.status == "creating" and [r.method for r in seen] == ["POST"] * 3
    assert len(clock.sleeps) == 2


def test_other_conflicts_are_not_waited_for() -> None:
    other = httpx.Response(409, json={"message": "already exists", "type": "conflict"})
    seen, handle = _answers(other)
    client = client_for(handle)
    send = partial(client.export_backup, "fr-par", BACKUP_ID)
    with pytest.raises(ConflictError, match="already exists"):
        when_settled(client, "fr-par", BACKUP_ID, send, WaitPolicy(timeout=600))
    assert len(seen) == 1
