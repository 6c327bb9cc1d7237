"""What the RDB resources do, as functions of a client (the providers only add config).

Each operation runs within one deadline (``policy.timeout`` seconds on the client's clock),
shared by its request, its waits and its export:

- :func:`create`: POST, wait until ``ready``, export when asked; if anything fails after the
  backup exists, delete it (or say in the error which backup could not be deleted);
- :func:`read`: None once the backup is gone or ``deleting``; a GET only, nothing renewed;
- :func:`update`: PATCH what changed, renew the link when exporting;
- :func:`delete`: DELETE, then wait for 404; an absent backup is already deleted;
- :func:`restore`: POST the restore and wait until the backup is ``ready`` again.
"""

from __future__ import annotations

from datetime import timedelta

from ..core.errors import (
    ApiError,
    BackupsError,
    NotFoundError,
    WaitTimeoutError,
    with_note,
)
from ..core.waiting import Deadline, WaitPolicy
from .client import RdbClient
from .models import Backup, CreateBackupRequest, RestoreBackupRequest, UpdateBackupRequest
from .waiters import backup_ref, wait_backup, wait_gone

CLEANUP_SECONDS = 60.0
CLOCK_SKEW = timedelta(minutes=10)


def create(
    client: RdbClient,
    region: str,
    request: CreateBackupRequest,
    *,
    export: bool,
    policy: WaitPolicy,
) -> Backup:
    """Create a backup and return it ``ready`` (with a valid link when ``export``)."""
    deadline = Deadline(policy, client.clock)
    backup = _send_create(client, region, request, deadline)
    try:
        backup = deadline.wait(
            lambda p: wait_backup(client, backup, p, what=f"creation of {_ref(backup)}")
        )
        if export:
            backup = ensure_link(client, backup, deadline)
    except BackupsError as err:
        raise cleanup(client, backup, err, policy) from err
    return backup


def read(client: RdbClient, region: str, backup_id: str) -> Backup | None:
    """The backup as the API has it; None once gone (a ``deleting`` backup cannot come
    back). A read changes nothing: it runs in previews (``pulumi preview --refresh``)."""
    try:
        backup = client.get_backup(region, backup_id)
    except NotFoundError:
        return None
    return None if backup.deleting else backup


def update(
    client: RdbClient,
    region: str,
    backup_id: str,
    request: UpdateBackupRequest,
    *,
    export: bool,
    policy: WaitPolicy,
) -> Backup:
    """Apply a rename / new expiry (nothing sent when ``request`` is empty)."""
    deadline = Deadline(policy, client.clock)
    if request.empty():
        backup = client.get_backup(region, backup_id)
    else:
        backup = client.update_backup(region, backup_id, request, wait=deadline.remaining())
    if export:
        backup = ensure_link(client, backup, deadline)
    return backup


def delete(client: RdbClient, region: str, backup_id: str, policy: WaitPolicy) -> None:
    """Delete and wait until the backup answers 404 (``deleting`` first); 404 = done."""
    deadline = Deadline(policy, client.clock)
    try:
        client.delete_backup(region, backup_id, wait=deadline.remaining())
    except NotFoundError:
        return
    deadline.wait(lambda p: wait_gone(client, region, backup_id, p))


def restore(
    client: RdbClient,
    region: str,
    backup_id: str,
    request: RestoreBackupRequest,
    policy: WaitPolicy,
) -> Backup:
    """Restore and wait until the backup is ``ready`` again. A timeout leaves the restore
    running server-side, and the error says so."""
    deadline = Deadline(policy, client.clock)
    started = client.restore_backup(region, backup_id, request, wait=deadline.remaining())
    target = f"{request.instance_id}/{request.database_name or started.database_name}"
    what = f"restore of backup {backup_ref(region, backup_id)} into {target}"
    try:
        return deadline.wait(lambda p: wait_backup(client, started, p, what=what))
    except WaitTimeoutError as err:
        raise with_note(
            err, "the restore goes on server-side: do not start another until it ends"
        ) from err


def ensure_link(client: RdbClient, backup: Backup, deadline: Deadline) -> Backup:
    """The backup with a valid download link: wait until it settles, then export it unless
    it already has a link (exported out of band, or while we waited)."""
    if backup.link_valid():
        return backup
    settled = deadline.wait(lambda p: wait_backup(client, backup, p, what=_ref(backup)))
    if settled.link_valid():
        return settled
    started = client.export_backup(backup.region, backup.id, wait=deadline.remaining())
    return deadline.wait(
        lambda p: wait_backup(
            client,
            started,
            p,
            what=f"export of {_ref(backup)}",
            done=lambda b: b.ready and b.link_valid(margin_seconds=0),
        )
    )


def cleanup(
    client: RdbClient, backup: Backup, err: BackupsError, policy: WaitPolicy
) -> BackupsError:
    """Delete the backup a failed create made; ``err`` then says what became of it.

    A backup still busy (``creating``) cannot be deleted until it settles (409): the client
    waits for that at most ``CLEANUP_SECONDS`` (or the operation's own timeout if shorter).
    """
    ref = backup_ref(backup.region, backup.id)
    wait = WaitPolicy(timeout=min(CLEANUP_SECONDS, policy.timeout))
    try:
        client.delete_backup(backup.region, backup.id, wait=wait)
    except NotFoundError:
        pass
    except WaitTimeoutError as busy:
        return with_note(err, _left_behind(backup, f"it is still {busy.last_status!r}"))
    except BackupsError as failure:
        return with_note(err, _left_behind(backup, str(failure)))
    return with_note(err, f"the backup {ref} it created was deleted")


def _left_behind(backup: Backup, why: str) -> str:
    ref = backup_ref(backup.region, backup.id)
    return (
        f"the backup {ref} it created could NOT be deleted ({why}); it is not in the state: "
        f"delete it once it settles (scw rdb backup delete {backup.id} region={backup.region})"
    )


def _send_create(
    client: RdbClient, region: str, request: CreateBackupRequest, deadline: Deadline
) -> Backup:
    """POST the backup. If the answer was lost (5xx, dropped connection) the API may have
    created it anyway: look it up by instance, database and name, and take it if exactly one
    was created since the request (by the client's clock, give or take ``CLOCK_SKEW``), rather
    than leave an unknown backup behind."""
    sent_at = client.clock.utc()
    try:
        return client.create_backup(region, request, wait=deadline.remaining())
    except ApiError as err:
        if not err.may_have_acted:
            raise
        try:
            listed = client.list_backups(region, instance_id=request.instance_id, name=request.name)
        except BackupsError as failure:
            note = f"the API may have created a backup named {request.name!r} anyway ({failure})"
            raise with_note(err, note) from err
        matches = [
            b
            for b in listed
            if b.name == request.name
            and b.database_name == request.database_name
            and b.created_at is not None
            and b.created_at >= sent_at - CLOCK_SKEW
        ]
        if len(matches) == 1:
            return matches[0]
        found = ", ".join(backup_ref(region, b.id) for b in matches) or "none"
        raise with_note(err, f"backups named {request.name!r} created since: {found}") from err


def _ref(backup: Backup) -> str:
    return f"backup {backup_ref(backup.region, backup.id)}"
