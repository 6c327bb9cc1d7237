"""What ``NashaCustomSnapshot`` does: take, read and delete a named custom snapshot.

Plain functions of a :class:`~.client.NashaPartition`; no Pulumi. Creates and deletes go
through :func:`~.waiters.post_named` / :func:`~.waiters.delete_named` (a lost answer
recovered by the snapshot's name).
"""

from __future__ import annotations

from functools import partial

from ...core.errors import BackupsError, NotFoundError, WaitTimeoutError, with_note
from ...core.partial import IncompleteCreateError, keeps_partial
from ...core.waiting import Deadline, WaitPolicy
from ..models import Named
from .client import NashaPartition
from .models import CustomSnapshot
from .waiters import delete_named, post_named, wait_nasha


def create_snapshot(
    partition: NashaPartition,
    name: str,
    expiration: str | None,
    policy: WaitPolicy,
    named: Named[CustomSnapshot],
) -> CustomSnapshot:
    """Take the snapshot ``name`` and wait for it; a snapshot of that name already there
    (outside of the state) is refused, and one a failed create may have left is deleted.
    One whose task outlasts the deadline is handed to the engine when the adapter keeps
    partial results (``core.partial``; ``named`` names it), else named in the error."""
    deadline = Deadline(policy, partition.clock)
    if partition.find_custom_snapshot(name) is not None:  # a lost answer needs this
        raise BackupsError(
            f"custom snapshot {name} already exists on {partition}, outside of the "
            "state: import it (see docs/interruptions.md), delete it, or choose another name"
        )
    what = f"snapshot {name} of {partition}"
    send = partial(partition.create_custom_snapshot, name, expiration)
    task = post_named(send, partial(_listed, partition, name), what, deadline)
    try:
        if task is not None:
            deadline.wait(lambda remaining: wait_nasha(partition, task, remaining))
        return partition.custom_snapshot(name)
    except WaitTimeoutError as err:  # deleting now could race the task: say what may be left
        if keeps_partial():
            raise IncompleteCreateError(
                *named(CustomSnapshot(name=name, expiration=expiration)), err
            ) from err
        note = (
            f"if that task still completes, snapshot {name} will exist on {partition} "
            "outside of the state: delete it before trying again"
        )
        raise with_note(err, note) from err
    except NotFoundError as err:
        note = "the snapshot is not there after its task finished (expiration in the past?)"
        raise with_note(err, note) from err
    except BackupsError as err:  # the snapshot may exist: take it back, or name it
        raise _cleanup_snapshot(partition, name, err, policy) from err


def read_snapshot(partition: NashaPartition, name: str) -> CustomSnapshot | None:
    """The snapshot, or None once deleted or expired (a not-found on its own route)."""
    return partition.find_custom_snapshot(name)


def delete_snapshot(partition: NashaPartition, name: str, policy: WaitPolicy) -> None:
    """Delete the snapshot and wait; gone only when its own route says so and it is no
    longer listed (see :func:`delete_named`)."""
    _delete(partition, name, Deadline(policy, partition.clock))


def _listed(partition: NashaPartition, name: str) -> bool:
    return partition.find_custom_snapshot(name) is not None


def _delete(partition: NashaPartition, name: str, deadline: Deadline) -> None:
    send = partial(partition.delete_custom_snapshot, name)
    listed = partial(_listed, partition, name)
    delete_named(partition, send, listed, f"snapshot {name} of {partition}", deadline)


def _cleanup_snapshot(
    partition: NashaPartition, name: str, err: BackupsError, policy: WaitPolicy
) -> BackupsError:
    """After a create failed past its request: delete the snapshot it may have taken."""
    try:
        if not _listed(partition, name):
            return err
        _delete(partition, name, Deadline(policy, partition.clock))
    except BackupsError as failed:
        return with_note(
            err,
            f"snapshot {name} may exist on {partition} outside of the state "
            f"and could not be deleted ({failed}): delete it before trying again",
        )
    return with_note(err, f"the snapshot {name} it took was deleted")
