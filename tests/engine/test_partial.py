"""A create that made its object and did not finish, under the real engine: the provider plugin
answers it as a partial result, so the backup stays in the state (with the engine's init
error) when `pulumi up` fails, instead of being deleted or forgotten; the next `up` updates
it, which finishes it, and makes no second backup. Program: programs/ops-partial, a
VpsBackup whose `customTimeouts` give its create and its update 2 s."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from engine.pulumi_cli import Stack
from engine.test_operations import plugin_stack, vps_backups
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import VPS_SERVER_ID

TASK = 120.0  # the backup takes 2 minutes of sandbox time; the deadline is 2 s


def failed_up(stack: Stack) -> tuple[str, float]:
    """`up` that fails on the slow backup's deadline: its error, and how long it took."""
    started = time.monotonic()
    failed = stack.up(check=False)
    elapsed = time.monotonic() - started
    assert not failed.ok, failed.text
    (message,) = [m for m in failed.diagnostics("error") if "timed out" in m]
    return message, elapsed


def kept(stack: Stack, sandbox: Sandbox) -> dict[str, Any]:
    """The slow backup as the state holds it: the one backup on the panel, its init error."""
    (backup,) = vps_backups(sandbox).values()
    slow = stack.resources()["slow"]
    assert slow["id"] == f"{VPS_SERVER_ID}/{backup['id']}"
    assert slow["outputs"]["backupId"] == backup["id"]
    assert any("timed out after 2 s" in e for e in slow.get("initErrors", [])), slow
    assert stack.export().get("pending_operations") in (None, [])
    return slow


def test_an_unfinished_create_stays_in_the_state_and_the_next_up_finishes_it(
    make_stack: Callable[..., Stack], sandbox: Sandbox
) -> None:
    stack = plugin_stack(make_stack, sandbox, "ops-partial")
    sandbox.configure(task_seconds=TASK)
    message, elapsed = failed_up(stack)
    assert elapsed < 20, message
    # the engine shows a partial result's reasons as a list ("1 error occurred: * ...")
    assert f"VpsBackup on server {VPS_SERVER_ID}: create failed: " in message
    assert "kept in the state" in message and "was deleted" not in message
    slow = kept(stack, sandbox)
    assert slow["outputs"]["status"] == "in_progress"

    sandbox.advance(TASK)  # the panel finished the backup meanwhile
    done = stack.up()
    assert done.ops() == {"slow": "update"}
    (backup,) = vps_backups(sandbox).values()  # the same one: no second backup
    slow = stack.resources()["slow"]
    assert slow["id"] == f"{VPS_SERVER_ID}/{backup['id']}"
    assert slow["outputs"]["status"] == "completed" and not slow.get("initErrors")

    stack.destroy()
    assert vps_backups(sandbox) == {} and stack.resources() == {}


def test_an_up_before_the_backup_is_done_waits_for_it_and_keeps_it_on_its_deadline(
    make_stack: Callable[..., Stack], sandbox: Sandbox
) -> None:
    stack = plugin_stack(make_stack, sandbox, "ops-partial")
    sandbox.configure(task_seconds=TASK)
    failed_up(stack)
    kept(stack, sandbox)

    message, elapsed = failed_up(stack)  # still in progress: the update waits its 2 s
    assert elapsed < 20, message
    assert f"VpsBackup {VPS_SERVER_ID}/" in message and "update failed: timed out" in message
    assert kept(stack, sandbox)["outputs"]["status"] == "in_progress"  # as it was

    sandbox.advance(TASK)
    assert stack.up().ops() == {"slow": "update"}
    assert stack.resources()["slow"]["outputs"]["status"] == "completed"
    stack.destroy()
    assert vps_backups(sandbox) == {}
