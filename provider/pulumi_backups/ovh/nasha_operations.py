"""What the NAS-HA resources do with named objects: custom snapshots, and the lost-answer
recovery their names allow (also used for schedule frequencies by :mod:`.nasha_schedule`).

Custom snapshots and frequencies are named, and a name is unique in its partition: that
makes their creates and deletes safe to recover when an answer is lost (:func:`post_named`,
:func:`delete_named`). Plain functions of a :class:`~.nasha_client.NashaPartition`; no Pulumi.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..core.errors import (
    ApiError,
    BackupsError,
    ConflictError,
    NotFoundError,
    WaitTimeoutError,
    with_note,
)
from ..core.partial import IncompleteCreateError, keeps_partial
from ..core.waiting import Deadline, WaitPolicy, wait_until
from .models import CustomSnapshot, Named, NashaTask
from .nasha_client import NashaPartition
from .waiters import await_listed, finish, wait_nasha


def post_named(
    send: Callable[[], NashaTask], listed: Callable[[], bool], what: str, deadline: Deadline
) -> NashaTask | None:
    """Send the POST that makes ``what``, a named object that was not there; return its task,
    or None when the request of a lost answer made it (it is then listed).

    When the server may have acted although the answer is lost (a 500, a connection dropped
    after the request went out: ``ApiError.may_have_acted``), the POST is sent again, which
    the name makes safe (no second object can bear it), until an answer comes within the
    deadline (a server restarting, a 503, another lost answer): a task then means the first
    request did nothing; a 409 means it made ``what``, which is awaited until listed. Any
    other outcome raises the lost answer's error (its status and request id kept), noting
    that ``what`` may exist.

    An answer held until the deadline itself leaves no time to send again (the same server
    would hold the POST for the whole grace): one look at whether ``what`` is listed says
    whether the first request made it.
    """
    try:
        return send()
    except ApiError as err:
        if not err.may_have_acted:
            raise
        lost = err
    if deadline.left() <= 0:
        _made_by_lost(lost, listed, what)
        return None

    def again() -> tuple[NashaTask | None]:
        try:
            return (send(),)
        except ConflictError:
            return (None,)  # the first request made it

    try:
        (task,) = wait_until(
            again,
            lambda _: True,
            what=f"an answer to the POST of {what}",
            status=lambda _: "answered",
            policy=deadline.remaining(),
            clock=deadline.clock,
        )
    except BackupsError as err:
        raise with_note(lost, f"sent again: {err}; {what} may exist") from err
    if task is not None:
        return task
    try:
        await_listed(listed, True, what, deadline)
    except BackupsError as err:
        raise with_note(lost, f"{err}; {what} may still appear") from err
    return None


def _made_by_lost(lost: ApiError, listed: Callable[[], bool], what: str) -> None:
    """Return when ``what`` is listed after a POST whose answer was lost at the deadline;
    raise when it is not (or the look fails)."""
    try:
        made = listed()
    except BackupsError as err:
        raise with_note(lost, f"{err}; {what} may exist") from err
    if not made:
        raise with_note(lost, f"{what} is not listed yet and may still appear") from lost


def delete_named(
    partition: NashaPartition,
    send: Callable[[], NashaTask],
    listed: Callable[[], bool],
    what: str,
    deadline: Deadline,
) -> None:
    """Delete ``what`` and wait until it is gone; an object already gone is a success.

    The client sends a DELETE again when its answer is lost, so the answer seen may be the
    second request's: a not-found (the first one's task is done) or a 409 (it still runs).
    Neither is taken on trust: after a not-found ``what`` must no longer be listed, after a
    409 it is awaited until gone; else the error says it is still there.
    """
    try:
        task = send()
    except NotFoundError as err:
        if listed():
            raise with_note(err, f"yet {what} is still there") from err
        return
    except ConflictError as err:  # busy: being deleted by a request whose answer was lost?
        try:
            await_listed(listed, False, what, deadline)
        except WaitTimeoutError as timeout:
            raise with_note(err, f"{what} is still there ({timeout})") from err
        return
    finish(partition, task, listed, False, what, deadline)


# -- custom snapshots ---------------------------------------------------------------------------


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
