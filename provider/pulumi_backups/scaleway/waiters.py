"""Waiting for RDB backups: until ``ready``, until gone, within one operation's deadline.

A backup is settled once ``ready``; ``error``, ``locked`` and ``unknown`` are failures reported
with the backup's id and status. Every poll must answer about the backup waited for (its id,
instance, database, name and creation date): an answer about another is an error. A poll that
fails transiently even after the client's retries (a long burst of 429) does not end the wait:
the last known state stands until the deadline.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.errors import ApiError, NotFoundError
from ..core.waiting import WaitPolicy, wait_until
from .client import RdbClient
from .models import Backup


def backup_ref(region: str, backup_id: str) -> str:
    """How messages name a backup: ``region/uuid``, the RdbBackup id."""
    return f"{region}/{backup_id}"


def wait_backup(
    client: RdbClient,
    backup: Backup,
    policy: WaitPolicy,
    *,
    what: str,
    done: Callable[[Backup], bool] = lambda b: b.ready,
) -> Backup:
    """Poll ``backup`` until ``done`` (default: ``ready``).

    TaskFailedError on ``error`` / ``locked`` / ``unknown`` (``what`` names the backup, then its
    status), WaitTimeoutError past the deadline, NotFoundError if the backup disappears.
    """
    last, known = [backup], backup.known()

    def fetch() -> Backup:
        try:
            last[0] = client.get_backup(backup.region, backup.id, known)
        except ApiError as err:
            if isinstance(err, NotFoundError) or not err.transient:
                raise
        return last[0]

    if done(backup):
        return backup
    return wait_until(
        fetch,
        done,
        what=what,
        status=lambda b: b.status,
        failed=lambda b: b.failed,
        policy=policy,
        clock=client.clock,
    )


def wait_gone(client: RdbClient, region: str, backup_id: str, policy: WaitPolicy) -> None:
    """Poll until the backup answers 404 (``deleting`` first); failure if it stops deleting."""

    def fetch() -> Backup | None:
        try:
            return client.get_backup(region, backup_id)
        except NotFoundError:
            return None
        except ApiError as err:
            if not err.transient:
                raise
            return Backup.model_construct(id=backup_id, region=region, status="deleting")

    wait_until(
        fetch,
        lambda b: b is None,
        what=f"deletion of backup {backup_ref(region, backup_id)}",
        status=lambda b: b.status if b is not None else "gone",
        failed=lambda b: b is not None and b.failed,
        policy=policy,
        clock=client.clock,
    )
