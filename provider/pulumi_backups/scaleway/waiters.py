"""Waiting for RDB backups: until done, until gone, until settled enough to act on.

A backup is done once ``ready`` (:attr:`~.models.Backup.done`); ``error``, ``locked`` and
``unknown`` are failures reported with the backup's id and status. Every poll must answer about
the backup waited for (its id, instance, database, name and creation date): an answer about
another is an error. A poll that fails transiently even after the client's retries (a long
burst of 429) is handled as :func:`~pulumi_backups.core.waiting.wait_until` handles it: one
more unanswered poll; a wait ending on it is a timeout on the last status the API gave (the
mutating call's answer, or a poll's), caused by that error. No status is ever made up.

:func:`when_settled` wraps a mutating call as the Terraform provider's rdb helpers wrap theirs
(a retry on ``transient_state`` around the action): the client sends once, the waiter waits.
Every wait runs within the operation's deadline (:func:`~pulumi_backups.core.waiting.current`).
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.errors import ConflictError, NotFoundError
from ..core.waiting import WaitPolicy, wait_done, wait_until
from .client import TRANSIENT_STATE, RdbClient
from .models import Backup


def backup_ref(region: str, backup_id: str) -> str:
    """How messages name a backup: ``region/uuid``, the RdbBackup id."""
    return f"{region}/{backup_id}"


def wait_backup(client: RdbClient, backup: Backup, policy: WaitPolicy, *, what: str) -> Backup:
    """Poll ``backup`` until done (``ready``).

    TaskFailedError on ``error`` / ``locked`` / ``unknown`` (``what`` names the backup, then its
    status), WaitTimeoutError past the deadline, NotFoundError if the backup disappears.
    """
    if backup.done:
        return backup
    poll = _poll(client, backup)
    return wait_done(poll, what=what, policy=policy, clock=client.clock, last=(backup,))


def wait_exported(client: RdbClient, started: Backup, policy: WaitPolicy, *, what: str) -> Backup:
    """Poll the backup whose export ``started`` until it is done with a download link valid
    now (an export ends so); failures and timeouts as :func:`wait_backup`."""

    def exported(backup: Backup) -> bool:
        return backup.done and backup.link_valid(margin_seconds=0)

    if exported(started):
        return started
    return wait_until(
        _poll(client, started),
        exported,
        what=what,
        status=lambda b: b.status,
        failed=lambda b: b.failed,
        policy=policy,
        clock=client.clock,
        last=(started,),
    )


def wait_gone(client: RdbClient, deleting: Backup, policy: WaitPolicy) -> None:
    """Poll the backup a DELETE answered (``deleting``) until it answers 404; failure if it
    stops deleting."""

    def fetch() -> Backup | None:
        try:
            return client.get_backup(deleting.region, deleting.id)
        except NotFoundError:
            return None

    answered: tuple[Backup | None] = (deleting,)
    wait_until(
        fetch,
        lambda b: b is None,
        what=f"deletion of backup {backup_ref(deleting.region, deleting.id)}",
        status=lambda b: b.status if b is not None else "gone",
        failed=lambda b: b is not None and b.failed,
        policy=policy,
        clock=client.clock,
        last=answered,
    )


def when_settled(
    client: RdbClient,
    region: str,
    backup_id: str | None,
    send: Callable[[], Backup],
    policy: WaitPolicy,
) -> Backup:
    """``send()`` (one mutating call of ``client``); on 409 ``transient_state`` wait until the
    backup ``backup_id`` leaves its transient status, then send again.

    Without a backup id (a create refused while the instance is busy) the call is simply sent
    again on the waiting schedule. Raises WaitTimeoutError past ``policy.timeout`` or the
    operation's deadline; any other error of ``send``, or of a look at the backup, at once.
    """
    seen: dict[str, str] = {}

    def attempt() -> Backup | None:
        if seen and backup_id is not None:
            current = client.get_backup(region, backup_id)
            seen["status"] = current.status
            if current.transient:
                return None
        try:
            return send()
        except ConflictError as err:
            if err.code != TRANSIENT_STATE:
                raise
            seen.setdefault("status", TRANSIENT_STATE)
            return None

    result = wait_until(
        attempt,
        lambda value: value is not None,
        what=f"backup {backup_id or '(new)'} in {region} to leave its transient state",
        status=lambda _: seen.get("status", "?"),
        policy=policy,
        clock=client.clock,
        tolerate_transient=False,  # `send` mutates: the client's retry rules stand
    )
    assert result is not None  # done() only accepts a backup
    return result


def _poll(client: RdbClient, backup: Backup) -> Callable[[], Backup]:
    """A read of ``backup`` as the API has it now, refused when about another backup."""
    known = backup.known()
    return lambda: client.get_backup(backup.region, backup.id, known)
