"""Waiting for the VPS panel: a backup until ``completed``, a server until ``running`` again.

A backup is read from its server's listing (the panel documents no detail route) and fails
on ``failed`` / ``error``, or as ``missing`` once two listings in a row do not list it; a
listed backup of another description than the one asked for is another backup
(:class:`~.client.AnotherBackupError`). A server fails on
``failed`` / ``error``. A poll that fails transiently even after the client's retries does
not end a wait: :func:`~pulumi_backups.core.waiting.wait_until` lets its deadline decide.
"""

from __future__ import annotations

from ..core.errors import TaskFailedError
from ..core.waiting import WaitPolicy, wait_done, wait_until
from .client import LIST_CALL, VpsClient, same_backup
from .models import SERVER_FAILED, SERVER_RUNNING, Backup, CreateBackupRequest, Server


def backup_ref(server_id: int, backup_id: int) -> str:
    """How messages name a backup."""
    return f"backup {backup_id} of server {server_id}"


def wait_backup(
    client: VpsClient, request: CreateBackupRequest, backup_id: int, policy: WaitPolicy
) -> Backup:
    """Poll the server's backup list until ``backup_id``, the backup made on ``request``, is
    completed (always the panel's latest word: a listing begun after each poll asks);
    TaskFailedError on failed / error / missing, AnotherBackupError when the listed backup
    is not the one asked for."""
    what = backup_ref(request.server_id, backup_id)

    def fetch() -> Backup:
        found = client.find_backup(request.server_id, backup_id)
        if found is None:
            raise TaskFailedError(what, "missing", "it is no longer listed for the server")
        same_backup(LIST_CALL, what, request.identity(), found.identity())
        return found

    return wait_done(fetch, what=what, policy=policy, clock=client.clock)


def wait_server(
    client: VpsClient, server_id: int, policy: WaitPolicy, *, what: str
) -> Server | None:
    """Poll the server until it is ``running``; None at once when the panel has no server
    route (nothing can be watched). TaskFailedError on failed / error."""
    return wait_until(
        lambda: client.get_server(server_id),
        lambda s: s is None or s.status == SERVER_RUNNING,
        what=what,
        status=lambda s: str(s.status) if s else "unknown",
        failed=lambda s: s is not None and s.status in SERVER_FAILED,
        policy=policy,
        clock=client.clock,
    )
