"""Typed calls on one NAS-HA partition: snapshot schedule and custom snapshots.

Routes live under ``/dedicated/nasha/{service}/partition/{partition}``. Every change answers a
NAS-HA task (``taskId``, ``operation``, ``status``); :meth:`NashaPartition.wait` follows it
through :func:`~pulumi_backups.ovh.tasks.wait_nasha_task` (todo/init/doing -> done; cancelled,
customerError and ovhError fail with the task's operation and details).

This module also plans schedule changes (:func:`plan_schedule`) and applies them in order
under one deadline (:func:`apply_changes`); it has no Pulumi import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import AfterValidator

from ..core.errors import BackupsError, NotFoundError, WaitTimeoutError
from ..core.waiting import SYSTEM_CLOCK, Clock, WaitPolicy
from .client import OvhClient
from .tasks import wait_nasha_task

#: Automatic snapshot frequencies, shortest period first.
SNAPSHOT_TYPES = ("hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7")
#: The default schedule plus up to 3 added frequencies.
MAX_SNAPSHOT_TYPES = 4

Task = dict[str, Any]


def id_part(value: str) -> str:
    """Service and partition names become id parts: non-empty, without ``/``."""
    if not value or "/" in value:
        raise ValueError("must be a non-empty name without '/'")
    return value


#: A service or partition name, as resource arguments take it.
IdPart = Annotated[str, AfterValidator(id_part)]


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


# -- schedule changes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Add or remove one frequency of a schedule."""

    action: Literal["add", "remove"]
    snapshot_type: str

    def __str__(self) -> str:
        return f"{'added' if self.action == 'add' else 'removed'} {self.snapshot_type}"


def plan_schedule(
    current: Iterable[str], target: Iterable[str], removable: Iterable[str]
) -> list[Change]:
    """The changes that bring ``current`` to ``target``: every removal first, then additions.

    Only frequencies in ``removable`` are ever removed (those the user's program or recorded
    state names); removals go first so the schedule never exceeds the service's maximum
    part-way through.
    """
    now, wanted, allowed = set(current), set(target), set(removable)
    removals = [Change("remove", t) for t in sorted((now & allowed) - wanted)]
    additions = [Change("add", t) for t in sorted(wanted - now)]
    return removals + additions


@dataclass(frozen=True)
class Deadline:
    """One deadline shared by every task of an operation."""

    policy: WaitPolicy
    clock: Clock
    start: float

    @classmethod
    def starting_now(cls, policy: WaitPolicy, clock: Clock = SYSTEM_CLOCK) -> Deadline:
        return cls(policy, clock, clock.now())

    def remaining(self) -> WaitPolicy:
        """The policy of the next wait: whatever time is left of the whole operation."""
        left = self.policy.timeout - (self.clock.now() - self.start)
        return dataclasses.replace(self.policy, timeout=max(left, 0.0))


class PartialChangeError(Exception):
    """Internal: a schedule change failed after ``done`` had been applied."""

    def __init__(self, done: Sequence[Change], cause: BackupsError) -> None:
        super().__init__(str(cause))
        self.done = list(done)
        self.cause = cause


def apply_change(partition: NashaPartition, change: Change, deadline: Deadline) -> None:
    """Apply one change and wait for its task; removing a frequency already gone is a no-op."""
    try:
        if change.action == "add":
            task = partition.add_snapshot_type(change.snapshot_type)
        else:
            task = partition.remove_snapshot_type(change.snapshot_type)
    except NotFoundError:
        if change.action == "remove":
            return
        raise
    try:
        partition.wait(task, deadline.remaining())
    except WaitTimeoutError as err:  # report the operation's whole deadline, not what was left
        raise WaitTimeoutError(err.what, err.last_status, deadline.policy.timeout) from err


def apply_changes(partition: NashaPartition, changes: Sequence[Change], deadline: Deadline) -> None:
    """Apply ``changes`` in order; a failure raises PartialChangeError saying what was done."""
    done: list[Change] = []
    for change in changes:
        try:
            apply_change(partition, change, deadline)
        except BackupsError as err:
            raise PartialChangeError(done, err) from err
        done.append(change)


def describe_changes(changes: Sequence[Change]) -> str:
    """``"removed day-1, added hour-6"`` or ``"nothing"``."""
    return ", ".join(str(c) for c in changes) or "nothing"


def annotate(err: BackupsError, note: str) -> BackupsError:
    """A copy of ``err`` (same class and attributes) whose message ends with ``note``."""
    copy = err.__class__.__new__(err.__class__)
    copy.__dict__.update(err.__dict__)
    copy.args = (f"{err}; {note}",)
    return copy
