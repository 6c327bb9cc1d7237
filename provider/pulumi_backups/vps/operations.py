"""What the VPS resources do, as functions of a client (the providers only add config).

Each operation that waits runs within one deadline (``policy.timeout`` seconds on the
client's clock), shared by its request and its wait:

- :func:`create_backup`: start a manual backup and wait until ``completed``. The backup is
  the one asked for only when the answer names the server and description asked for and an
  id its server did not list just before the POST (one listing, shared by the creates of one
  server within :data:`REFRESH_MAX_AGE`); anything else is an AnotherBackupError, and the
  backup it names is left alone. A backup that ends failed or outlives the deadline is
  deleted before the error is raised (or named in it when that delete fails), so nothing is
  left behind unknown; when the adapter keeps unfinished creates (``keeps_partial``), a
  backup that outlives the deadline is handed back unfinished instead (:class:`Unfinished`);
- :func:`read_backup`: the backup as its server lists it; None only on proof (two
  consistent listings that do not list it);
- :func:`finish_backup`: wait for a backup kept unfinished until it is ``completed``;
- :func:`delete_backup`: delete the backup unless its server is proven not to list it (gone,
  or another server's: left alone); the panel's 404 on the DELETE = already gone;
- :func:`restore`: ask for the restore, then wait until the server runs again.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.errors import ApiError, BackupsError, WaitTimeoutError, with_note
from ..core.partial import keeps_partial
from ..core.waiting import Deadline, WaitPolicy
from .client import CREATE_CALL, AnotherBackupError, VpsClient, acted, may_exist
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
"""Seconds a server's backup listing may serve the reads (and deletes, and creates' look
before their POST) of one deployment."""


class Unfinished(BackupsError):
    """A backup was made but not awaited to the end (``cause``: the timeout); it is left on
    the panel as ``backup`` last showed it, for the adapter to keep."""

    def __init__(self, backup: Backup, cause: BackupsError) -> None:
        self.backup = backup
        self.cause = cause
        super().__init__(str(cause))


def create_backup(client: VpsClient, request: CreateBackupRequest, policy: WaitPolicy) -> Backup:
    """Start a manual backup of ``request.server_id`` and return it ``completed``."""
    deadline = Deadline(policy, client.clock)
    before = client.manual_backups(request.server_id, max_age=REFRESH_MAX_AGE)
    started = _start(client, request, before)
    try:
        return deadline.wait(lambda p: wait_backup(client, request, started.id, p))
    except AnotherBackupError as err:
        raise with_note(err, _made_since(client, request, before)) from err
    except WaitTimeoutError as err:
        if keeps_partial():
            raise Unfinished(started, err) from err
        raise cleanup(client, request.server_id, started.id, err) from err
    except BackupsError as err:
        raise cleanup(client, request.server_id, started.id, err) from err


def _start(client: VpsClient, request: CreateBackupRequest, before: Mapping[int, Backup]) -> Backup:
    """The POST, and the proof that its answer is about the backup it made."""
    try:
        started = client.create_backup(request)
    except ApiError as err:
        if not (acted(err) or isinstance(err, AnotherBackupError)):
            raise
        raise with_note(err, _made_since(client, request, before)) from err
    if started.id in before:
        existing = before[started.id]
        message = (
            f"the answer names backup {started.id} ({existing.status}, created "
            f"{existing.created_at}), which server {request.server_id} listed before this "
            "create: another backup than the one made, not used"
        )
        other = AnotherBackupError(CREATE_CALL, 201, message)
        raise with_note(other, _made_since(client, request, before))
    return started


def _made_since(
    client: VpsClient, request: CreateBackupRequest, before: Mapping[int, Backup]
) -> str:
    """What may exist after a create whose answer cannot be believed, and how to find it:
    the backups of the request's server and description listed now and not before."""
    note = may_exist(request.server_id)
    try:
        now = client.manual_backups(request.server_id)
    except BackupsError:
        return note
    new = [b.id for b in now.values() if b.id not in before and b.identity() == request.identity()]
    if new:
        note += f"; listed since this create began: backup {', '.join(map(str, sorted(new)))}"
    return note


def read_backup(client: VpsClient, server_id: int, backup_id: int) -> Backup | None:
    """The manual backup ``backup_id`` as ``server_id`` lists it, or None on proof. The reads
    of one refresh share a listing at most :data:`REFRESH_MAX_AGE` seconds old."""
    return client.find_backup(server_id, backup_id, max_age=REFRESH_MAX_AGE)


def finish_backup(
    client: VpsClient, request: CreateBackupRequest, backup_id: int, policy: WaitPolicy
) -> Backup:
    """The backup ``backup_id`` made on ``request``, awaited until ``completed`` (at once when
    it is); a backup that failed or is gone is an error, and is not deleted."""
    return wait_backup(client, request, backup_id, policy)


def delete_backup(client: VpsClient, server_id: int, backup_id: int) -> None:
    """Delete the backup unless its server is proven not to list it: a backup the server does
    not own is gone for this resource, and is left alone. Its server listing it in a listing
    at most :data:`REFRESH_MAX_AGE` seconds old is proof enough that it is the server's (a
    backup never changes servers), so that N deletes of one server cost one listing."""
    if client.find_backup(server_id, backup_id, max_age=REFRESH_MAX_AGE) is None:
        return
    client.delete_backup(backup_id)  # False = gone since the listing: fine


def restore(client: VpsClient, request: RestoreRequest, policy: WaitPolicy) -> Restore:
    """Restore a server from a backup; wait for the server when the panel says it is
    restoring. A panel without the server route cannot be watched: :data:`NOT_AWAITED`."""
    deadline = Deadline(policy, client.clock)
    started_at = client.clock.utc()
    try:
        answer = client.restore_server(request)
    except ApiError as err:
        if not (acted(err) or isinstance(err, AnotherBackupError)):
            raise
        note = (
            f"the panel may have started restoring server {request.server_id} from backup "
            f"{request.backup_id}: check the server's status before running again"
        )
        raise with_note(err, note) from err
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
