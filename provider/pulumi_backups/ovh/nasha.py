"""Typed calls on one NAS-HA partition: snapshot schedule and custom snapshots.

Routes live under ``/dedicated/nasha/{service}/partition/{partition}``. Every change answers a
NAS-HA task (``taskId``, ``operation``, ``status``); :meth:`NashaPartition.wait` follows it
through :func:`~pulumi_backups.ovh.tasks.wait_nasha_task` (todo/init/doing -> done; cancelled,
customerError and ovhError fail with the task's operation and details).

Custom snapshots and frequencies are named, and a name is unique in its partition: that
makes their creates and deletes safe to recover when an answer is lost (:func:`post_named`,
:func:`delete_named`). No Pulumi import here; schedule changes are planned and applied in
:mod:`.nasha_schedule`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..core.errors import (
    ApiError,
    BackupsError,
    ConflictError,
    NotFoundError,
    WaitTimeoutError,
    with_note,
)
from ..core.waiting import SYSTEM_CLOCK, Clock, Deadline, WaitPolicy, wait_until
from .client import OvhClient
from .tasks import wait_nasha_task

#: Automatic snapshot frequencies, shortest period first.
SNAPSHOT_TYPES = ("hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7")
#: The default schedule plus up to 3 added frequencies.
MAX_SNAPSHOT_TYPES = 4

Task = dict[str, Any]


@dataclass(frozen=True)
class CustomSnapshot:
    """A custom snapshot as the API stores it; ``expiration`` is None when it never expires."""

    name: str
    expiration: str | None

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> CustomSnapshot:
        return cls(name=str(body["name"]), expiration=body.get("expiration") or None)


class NashaPartition:
    """The calls this package makes on one partition. Raises the errors of :mod:`core.errors`."""

    def __init__(
        self,
        client: OvhClient,
        service_name: str,
        partition_name: str,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.client = client
        self.service_name = service_name
        self.partition_name = partition_name
        self.clock = clock
        self._path = f"/dedicated/nasha/{_seg(service_name)}/partition/{_seg(partition_name)}"

    def __str__(self) -> str:
        return f"partition {self.partition_name} of NAS-HA {self.service_name}"

    def exists(self) -> bool:
        """Whether the partition exists: False only on a not-found on its own route."""
        try:
            self.client.get(self._path)
        except NotFoundError:
            return False
        return True

    # -- automatic snapshot schedule ----------------------------------------------------------

    def snapshot_types(self) -> list[str]:
        """The frequencies scheduled now (NotFoundError when the partition does not exist)."""
        return [str(t) for t in self.client.get(f"{self._path}/snapshot")]

    def add_snapshot_type(self, snapshot_type: str) -> Task:
        """Schedule one more frequency; returns the task."""
        task: Task = self.client.post(f"{self._path}/snapshot", snapshotType=snapshot_type)
        return task

    def remove_snapshot_type(self, snapshot_type: str) -> Task:
        """Unschedule a frequency; returns the task (NotFoundError when it is not scheduled)."""
        task: Task = self.client.delete(f"{self._path}/snapshot/{_seg(snapshot_type)}")
        return task

    # -- custom snapshots ---------------------------------------------------------------------

    def custom_snapshot_names(self) -> list[str]:
        """The names of the partition's custom snapshots."""
        return [str(n) for n in self.client.get(f"{self._path}/customSnapshot")]

    def custom_snapshot(self, name: str) -> CustomSnapshot:
        """One custom snapshot (NotFoundError once deleted or expired)."""
        return CustomSnapshot.from_api(self.client.get(f"{self._path}/customSnapshot/{_seg(name)}"))

    def find_custom_snapshot(self, name: str) -> CustomSnapshot | None:
        """One custom snapshot, or None on a not-found on its own route."""
        try:
            return self.custom_snapshot(name)
        except NotFoundError:
            return None

    def create_custom_snapshot(self, name: str, expiration: str | None) -> Task:
        """Take a snapshot named ``name`` now; returns the task."""
        task: Task = self.client.post(
            f"{self._path}/customSnapshot", name=name, expiration=expiration
        )
        return task

    def delete_custom_snapshot(self, name: str) -> Task:
        """Delete a custom snapshot; returns the task (NotFoundError when already gone)."""
        task: Task = self.client.delete(f"{self._path}/customSnapshot/{_seg(name)}")
        return task

    # -- tasks --------------------------------------------------------------------------------

    def wait(self, task: Task, policy: WaitPolicy) -> Task:
        """Wait for a task of this service until done; TaskFailedError / WaitTimeoutError else."""
        return wait_nasha_task(self.client, self.service_name, task, policy, self.clock)


def _seg(value: str) -> str:
    """One URL path segment (names never smuggle a ``/`` or ``?`` into the path)."""
    return quote(value, safe="")


# -- deadlines, errors, named objects ----------------------------------------------------------


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
    task: Task,
    wait: Callable[[Task, WaitPolicy], Task],
    listed: Callable[[], bool],
    present: bool,
    what: str,
    deadline: Deadline,
) -> None:
    """Wait for the ``task`` that makes (``present``) or deletes ``what``. A task that
    answers not-found is taken as done and archived: then the listing has the last word."""
    if wait(task, deadline.remaining()).get("archived"):
        await_listed(listed, present, what, deadline)


def post_named(
    send: Callable[[], Task], listed: Callable[[], bool], what: str, deadline: Deadline
) -> Task | None:
    """Send the POST that makes ``what``, a named object that was not there; return its task,
    or None when the request of a lost answer made it (it is then listed).

    When the server may have acted although the answer is lost (a 500, a connection dropped
    after the request went out: ``ApiError.may_have_acted``), the POST
    is sent again, which the name makes safe (no second object can bear it), until an answer
    comes within the deadline (a server restarting, a 503, another lost answer): a task then
    means the first request did nothing; a 409 means it made ``what``, which is awaited until
    listed. Any other outcome raises a plain BackupsError saying that ``what`` may exist.
    """
    try:
        return send()
    except BackupsError as err:
        if not (isinstance(err, ApiError) and err.may_have_acted):
            raise
        lost = err

    def again() -> tuple[Task | None]:
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
        raise BackupsError(f"{lost}; sent again: {err}; {what} may exist") from err
    if task is not None:
        return task
    try:
        await_listed(listed, True, what, deadline)
    except BackupsError as err:
        raise BackupsError(f"{lost}; {err}; {what} may still appear") from err
    return None


def delete_named(
    send: Callable[[], Task],
    listed: Callable[[], bool],
    what: str,
    wait: Callable[[Task, WaitPolicy], Task],
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
    finish(task, wait, listed, False, what, deadline)
