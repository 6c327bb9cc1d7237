"""Waiting on NAS-HA, on :mod:`pulumi_backups.core.waiting`: for a task, for a named object
to be listed or gone, and around the requests that make or delete a named object.

Custom snapshots and frequencies are named, and a name is unique in its partition: that
makes their creates and deletes safe to send again and to recover when an answer is lost
(:func:`post_named`, :func:`delete_named`): waiters wrap the actions they wait on. A task
that answers not-found is finished and archived
(:meth:`~pulumi_backups.ovh.models.Task.finished`): the listing then has the last word.
"""

from __future__ import annotations

from collections.abc import Callable

from ...core.errors import (
    ApiError,
    BackupsError,
    ConflictError,
    NotFoundError,
    WaitTimeoutError,
    with_note,
)
from ...core.waiting import Deadline, WaitPolicy, wait_until
from ..waiters import wait_task
from .client import NashaPartition
from .models import NashaTask


def wait_nasha(partition: NashaPartition, task: NashaTask, policy: WaitPolicy) -> NashaTask:
    """Wait for a NAS-HA task (as returned by the mutating call); return its last state."""
    what = f"NAS-HA task {task.operation or '?'} #{task.id} on {partition.service_name}"
    return wait_task(partition.follow, task, what=what, policy=policy, clock=partition.clock)


def await_listed(listed: Callable[[], bool], present: bool, what: str, deadline: Deadline) -> None:
    """Poll ``listed`` until it says ``present``, within what is left of ``deadline``."""
    wait_until(
        listed,
        lambda found: found == present,
        what=f"{what} to be {'listed' if present else 'gone'}",
        status=lambda found: "listed" if found else "not listed",
        policy=deadline.remaining(),
        clock=deadline.clock,
    )


def finish(
    partition: NashaPartition,
    task: NashaTask,
    listed: Callable[[], bool],
    present: bool,
    what: str,
    deadline: Deadline,
) -> None:
    """Wait for the ``task`` that makes (``present``) or deletes ``what``. A task that
    answers not-found is taken as done and archived: then the listing has the last word."""
    if wait_nasha(partition, task, deadline.remaining()).archived:
        await_listed(listed, present, what, deadline)


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
