"""What ``NashaSnapshotPolicy`` does: own a partition's whole snapshot schedule.

Plain functions of a :class:`~.nasha_client.NashaPartition` (no Pulumi), each returning the
:class:`Schedule` it leaves: the frequencies, and the initial set a delete restores. Changes
are planned and recorded by :mod:`.nasha_schedule`.

Data safety: a frequency is removed only when the caller says it may be (the program, or
the state the last preview showed): one added out of band and never refreshed into the
state is left alone. The policy is gone only when its partition's own route says not-found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.errors import NotFoundError, with_note
from ..core.waiting import Deadline, WaitPolicy
from .models import SNAPSHOT_TYPES
from .nasha_client import NashaPartition
from .nasha_schedule import (
    Change,
    PartialChangeError,
    apply_changes,
    describe_changes,
    drop_record,
    find_records,
    initial_schedule,
    plan_schedule,
    restore_target,
    settle_record,
    the_record,
    undo,
)
from .waiters import consistent


@dataclass(frozen=True)
class Schedule:
    """A partition's frequencies (sorted, known ones only) and the set a delete restores
    (None: nothing known to restore)."""

    frequencies: list[str]
    initial: list[str] | None

    @classmethod
    def of(cls, current: Iterable[str], initial: Iterable[str] | None) -> Schedule:
        return cls(known(current), None if initial is None else [str(t) for t in initial])


def known(types: Iterable[str]) -> list[str]:
    """Sorted, and limited to the frequencies this package knows (the API has the last word)."""
    return sorted(t for t in set(types) if t in SNAPSHOT_TYPES)


def create_policy(
    partition: NashaPartition,
    frequencies: Sequence[str],
    declared: Sequence[str] | None,
    policy: WaitPolicy,
) -> Schedule:
    """Record the schedule of before (unless ``declared``; read until consistent, as a
    delete restores it), then bring the schedule to ``frequencies``; a failure part-way
    undoes what it can and says what is left."""
    deadline = Deadline(policy, partition.clock)
    found = known(consistent(partition.snapshot_types, f"the schedule of {partition}"))
    initial, written = initial_schedule(partition, declared, found, deadline)
    changes = plan_schedule(found, frequencies, removable=found)
    try:
        apply_changes(partition, changes, deadline)
    except PartialChangeError as failure:
        undo_deadline = Deadline(policy, partition.clock)
        error, settled = undo(partition, failure, found, undo_deadline)
        raise settle_record(partition, written, settled, error, undo_deadline) from error
    return Schedule.of(partition.snapshot_types(), initial)


def read_policy(partition: NashaPartition, initial: Sequence[str] | None) -> Schedule | None:
    """The schedule as it is, or None once the partition is gone. ``initial`` is what the
    program or the state knows; without it (an import), the partition's record, if one."""
    current = schedule_unless_gone(partition)
    if current is None:
        return None
    return Schedule.of(current, the_record(partition) if initial is None else initial)


def update_policy(
    partition: NashaPartition,
    frequencies: Sequence[str],
    declared: Sequence[str] | None,
    before: Schedule,
    declared_before: bool,
    policy: WaitPolicy,
) -> Schedule:
    """Bring the schedule to ``frequencies``, removing only frequencies the state had
    (``before``): one added out of band stays. The result holds ``frequencies``, not what the
    API now lists: an out-of-band frequency must not slip into the state without a refresh,
    or the next unchanged ``up`` would remove it without any preview showing why. A schedule
    to restore no longer ``declared`` falls back on the partition's record."""
    current = partition.snapshot_types()
    changes = plan_schedule(current, frequencies, removable=before.frequencies)
    apply_or_explain(partition, changes, Deadline(policy, partition.clock))
    initial = declared
    if initial is None and declared_before:
        initial = the_record(partition)
    return Schedule.of(frequencies, before.initial if initial is None else initial)


def delete_policy(
    partition: NashaPartition,
    frequencies: Sequence[str],
    declared: Sequence[str] | None,
    stored: Sequence[str] | None,
    policy: WaitPolicy,
) -> None:
    """Put back the initial schedule (``declared``, else the record, else ``stored``), then
    drop the records; a partition gone has no schedule left to restore."""
    deadline = Deadline(policy, partition.clock)
    current = schedule_unless_gone(partition)
    if current is None:
        return
    records = find_records(partition)
    stored_list = None if stored is None else [str(t) for t in stored]
    initial = restore_target(partition, declared, stored_list, records)
    if initial is not None:  # else nothing to restore: the schedule stays as it is
        changes = plan_schedule(current, initial, removable=frequencies)
        apply_or_explain(partition, changes, deadline)
    for name in records:  # once the schedule is back: a retried delete restores again
        drop_record(partition, name, deadline)


def schedule_unless_gone(partition: NashaPartition) -> list[str] | None:
    """The partition's frequencies (read until consistent: a delete restores from them), or
    None when the partition is gone: a not-found on its schedule counts only when the
    partition's own route says not-found too."""
    try:
        return known(consistent(partition.snapshot_types, f"the schedule of {partition}"))
    except NotFoundError as err:
        if partition.exists():
            note = f"yet {partition} exists, so its schedule cannot be missing: not taken as gone"
            raise with_note(err, note) from err
        return None


def apply_or_explain(
    partition: NashaPartition, changes: Sequence[Change], deadline: Deadline
) -> None:
    """Apply ``changes``; a failure part-way says what had been changed already."""
    try:
        apply_changes(partition, changes, deadline)
    except PartialChangeError as failure:
        if not failure.done:
            raise failure.cause from failure.cause.__cause__
        note = f"{describe_changes(failure.done)} on {partition} before that"
        raise with_note(failure.cause, note) from failure.cause
