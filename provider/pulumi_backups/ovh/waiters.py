"""Waiting for OVHcloud tasks and listings, on :mod:`pulumi_backups.core.waiting`.

A task is polled on its own route until done; a not-found there means finished and
archived (:meth:`~.models.Task.finished`): the caller then re-reads the object it cares
about. A failed task raises :class:`~pulumi_backups.core.errors.TaskFailedError` with its
status and details; an endless one :class:`~pulumi_backups.core.errors.WaitTimeoutError`.
NAS-HA's waits are in :mod:`.nasha.waiters`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..core.errors import BackupsError, NotFoundError
from ..core.waiting import Clock, WaitPolicy, wait_done
from .hosting_client import HostingApi
from .models import HostingTask, Task

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
