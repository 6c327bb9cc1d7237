"""Waiting for OVHcloud tasks and listings, on :mod:`pulumi_backups.core.waiting`.

A task is polled on its own route until done; a not-found there means finished and
archived (:meth:`~.models.Task.finished`): the caller then re-reads the object it cares
about. A failed task raises :class:`~pulumi_backups.core.errors.TaskFailedError` with its
status and details; an endless one :class:`~pulumi_backups.core.errors.WaitTimeoutError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..core.errors import BackupsError, NotFoundError
from ..core.waiting import Clock, Deadline, WaitPolicy, wait_done, wait_until
from .hosting_client import HostingApi
from .models import HostingTask, NashaTask, Task
from .nasha_client import NashaPartition

T = TypeVar("T", bound=Task)
L = TypeVar("L", bound=Sequence[object])
READS = 3
"""Reads of a listing, at most, until two in a row agree (:func:`consistent`)."""


def wait_task(
    fetch: Callable[[T], T], task: T, *, what: str, policy: WaitPolicy, clock: Clock
) -> T:
    """Poll ``fetch(task)`` (the task as it is now, an answer about another task refused)
    until the task is done; a not-found there means done."""
    if task.done:
        return task

    def poll() -> T:
        try:
            return fetch(task)
        except NotFoundError:
            return task.finished()

    return wait_done(poll, what=what, policy=policy, clock=clock)


def wait_hosting(api: HostingApi, task: HostingTask, policy: WaitPolicy) -> HostingTask:
    """Wait for a hosting task (as returned by the mutating call); return its last state."""
    what = f"hosting task {task.function or '?'} #{task.id} on {api.service_name}"
    return wait_task(api.follow, task, what=what, policy=policy, clock=api.clock)


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


def consistent(read: Callable[[], L], what: str, reads: int = READS) -> L:
    """A listing whose absences are taken as proof: read until two reads in a row list the
    same entries (at most ``reads``), so that one answer that drops an entry proves nothing.
    Listings that keep changing are an error saying so."""
    last = read()
    for _ in range(reads - 1):
        again = read()
        if sorted(map(str, again)) == sorted(map(str, last)):
            return again
        last = again
    raise BackupsError(f"{what} changed at each of {reads} reads: nothing is concluded from it")
