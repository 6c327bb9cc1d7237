"""What the VPS resources do, as functions of a client (the providers only add config).

Each operation that waits runs within one deadline (``policy.timeout`` seconds on the
client's clock), shared by its request and its wait:

- :func:`create_backup`: start a manual backup and wait until ``completed``; a backup that
  ends failed or outlives the deadline is deleted before the error is raised (or named in it
  when that delete fails), so nothing is left behind unknown;
- :func:`read_backup`: the backup as its server lists it, None once it is not listed;
- :func:`delete_backup`: delete the backup if its server lists it; absent = already deleted;
- :func:`restore`: ask for the restore, then wait until the server runs again.
"""

from __future__ import annotations

from ..core.errors import ApiError, BackupsError, WaitTimeoutError, with_note
from ..core.partial import IncompleteCreateError, keeps_partial
from ..core.waiting import Deadline, WaitPolicy
from .client import VpsClient
from .models import (
    NOT_AWAITED,
    RESTORE_DONE,
    Backup,
    CreateBackupRequest,
    Restore,
    RestoreRequest,
)
from .waiters import backup_ref, wait_backup, wait_server

REFRESH_MAX_AGE = 2.0
"""Seconds a server's backup listing may serve the reads of one refresh."""


def create_backup(client: VpsClient, request: CreateBackupRequest, policy: WaitPolicy) -> Backup:
    """Start a manual backup of ``request.server_id`` and return it ``completed``."""
    deadline = Deadline(policy, client.clock)
    try:
        started = client.create_backup(request)
    except ApiError as err:
        if not err.may_have_acted:
            raise
        note = (
            f"the panel may have started a backup of server {request.server_id} anyway: "
            "check its manual backups before running again"
        )
        raise with_note(err, note) from err
    try:
        return deadline.wait(lambda p: wait_backup(client, request.server_id, started.id, p))
    except BackupsError as err:
        if keeps_partial() and isinstance(err, WaitTimeoutError):  # kept in the state
            from .vps_backup import outputs

            made = f"{request.server_id}/{started.id}"
            raise IncompleteCreateError(made, outputs(started), err) from err
        raise cleanup(client, request.server_id, started.id, err) from err


def read_backup(client: VpsClient, server_id: int, backup_id: int) -> Backup | None:
    """The manual backup ``backup_id`` as ``server_id`` lists it, or None. The reads of one
    refresh share a listing at most :data:`REFRESH_MAX_AGE` seconds old; nothing changes."""
    return client.find_backup(server_id, backup_id, max_age=REFRESH_MAX_AGE)


def delete_backup(client: VpsClient, server_id: int, backup_id: int) -> None:
    """Delete the backup only when its server lists it, as a read finds it: a backup the
    server does not own is gone for this resource, and is left alone."""
    if client.find_backup(server_id, backup_id) is None:
        return
    client.delete_backup(backup_id)  # False = gone since the listing: fine


def restore(client: VpsClient, request: RestoreRequest, policy: WaitPolicy) -> Restore:
    """Restore a server from a backup; wait for the server when the panel says it is
    restoring. A panel without the server route cannot be watched: :data:`NOT_AWAITED`."""
    deadline = Deadline(policy, client.clock)
    started_at = client.clock.utc()
    answer = client.restore_server(request)
    status = answer.status or "accepted"
    if answer.in_progress:
        what = f"server {request.server_id} to come back after restoring backup {request.backup_id}"
        server = deadline.wait(lambda p: wait_server(client, request.server_id, p, what=what))
        status = NOT_AWAITED if server is None else RESTORE_DONE
    return Restore(
        server_id=request.server_id,
        backup_id=request.backup_id,
        started_at=started_at,
        status=status,
    )


def cleanup(client: VpsClient, server_id: int, backup_id: int, err: BackupsError) -> BackupsError:
    """Delete the backup a failed create left; ``err`` then says what became of it."""
    try:
        deleted = client.delete_backup(backup_id)
    except BackupsError as failure:
        return with_note(
            err,
            f"{backup_ref(server_id, backup_id)} was LEFT BEHIND because deleting it failed "
            f"({failure}): delete it in the panel ({client.delete_backup_call(backup_id)})",
        )
    fate = "was deleted" if deleted else "no longer exists"
    return with_note(err, f"the unfinished backup {backup_id} {fate}")
