"""What ``NashaSnapshotPolicy`` does: own a partition's whole snapshot schedule.

Plain functions of a :class:`~.client.NashaPartition` (no Pulumi), each returning the
:class:`Schedule` it leaves: the frequencies, and the initial set a delete restores.
:func:`plan_schedule` computes the changes from one set of frequencies to another and
:func:`apply_changes` applies them under one deadline, each through
:func:`~.waiters.post_named` / :func:`~.waiters.delete_named` (lost answers recovered).

The *record* keeps, on the partition itself, the schedule it had before a policy took it
over: a custom snapshot named ``pulumi-backups-initial-schedule.<frequency>...``
(``...schedule.none`` for an empty schedule). It is written before the first change, so a
create that is interrupted, run again, or repeated once the state lost the policy finds it
and restores that schedule on delete, never one it changed itself. Like any snapshot, it
keeps the blocks the partition changes after it was taken.

Data safety: a frequency is removed only when the caller says it may be (the program, or
the state the last preview showed): one added out of band and never refreshed into the
state is left alone. The policy is gone only when its partition's own route says not-found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

from ...core.errors import (
    ApiError,
    BackupsError,
    ConflictError,
    NotFoundError,
    TaskFailedError,
    WaitTimeoutError,
    with_note,
)
from ...core.waiting import Deadline, WaitPolicy
from ..waiters import consistent
from .client import NashaPartition
from .models import SNAPSHOT_TYPES
from .waiters import await_listed, delete_named, finish, post_named


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


# -- changes of a schedule -------------------------------------------------------------------


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


class PartialChangeError(Exception):
    """Internal: a schedule change failed after ``done`` had been applied."""

    def __init__(self, done: Sequence[Change], cause: BackupsError) -> None:
        super().__init__(str(cause))
        self.done = list(done)
        self.cause = cause


def apply_change(partition: NashaPartition, change: Change, deadline: Deadline) -> None:
    """Apply one change and wait for its task; removing a frequency already gone is a no-op."""
    kind = change.snapshot_type
    what = f"frequency {kind} of {partition}"

    def listed() -> bool:
        return partition.has_snapshot_type(kind)

    try:
        if change.action == "remove":
            send = partial(partition.remove_snapshot_type, kind)
            delete_named(partition, send, listed, what, deadline)
            return
        task = post_named(partial(partition.add_snapshot_type, kind), listed, what, deadline)
        if task is not None:
            finish(partition, task, listed, True, what, deadline)
    except WaitTimeoutError as err:  # report the operation's whole deadline, not what was left
        policy = deadline.policy
        raise WaitTimeoutError(err.what, err.last_status, policy.timeout, policy.setting) from err


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


def undo(
    partition: NashaPartition, failure: PartialChangeError, found: Sequence[str], deadline: Deadline
) -> tuple[BackupsError, bool]:
    """After a failed create, put the schedule back as it was ``found``. Returns the error to
    raise (saying how that went) and whether the schedule is proven back as found.

    After a timeout or a lost answer nothing is undone: what still runs could land after it.
    """
    cause, done = failure.cause, failure.done
    found_set = f"[{', '.join(found)}]"
    if not _changed_nothing(cause):
        already = f"{describe_changes(done)} before that" if done else "nothing before that"
        return with_note(cause, f"{already}; the schedule of {partition} was {found_set}"), False
    if not done:
        return cause, True
    already = f"{describe_changes(done)} before that"
    back = [Change("add" if c.action == "remove" else "remove", c.snapshot_type) for c in done]
    try:
        apply_changes(partition, back[::-1], deadline)
    except PartialChangeError as again:
        note = f"{already}, and undoing it failed ({again.cause}); the schedule was {found_set}"
        return with_note(cause, f"{note} on {partition}"), False
    note = f"{already}, now undone: the schedule of {partition} is {found_set}"
    return with_note(cause, note), True


def _changed_nothing(err: BackupsError) -> bool:
    """Whether the call that failed with ``err`` is proven to have changed nothing: its task
    failed, or the API refused it (a 4xx, or a 429 / 503 / unsent request its retries
    could not get through)."""
    if isinstance(err, TaskFailedError):
        return True
    if not isinstance(err, ApiError):
        return False
    if err.transient:
        return not err.may_have_acted
    return err.rejected


# -- the record of the initial schedule -------------------------------------------------------

RECORD = "pulumi-backups-initial-schedule"


def record_name(frequencies: Iterable[str]) -> str:
    """``pulumi-backups-initial-schedule.day-1.hour-6`` (``...schedule.none`` when empty)."""
    return ".".join([RECORD, *(sorted(frequencies) or ["none"])])


def parse_record(name: str) -> list[str] | None:
    """The frequencies a record's name holds, or None when ``name`` is not a record's."""
    head, _, rest = name.partition(".")
    parts = rest.split(".")
    if head != RECORD:
        return None
    if parts == ["none"]:
        return []
    return sorted(parts) if all(p in SNAPSHOT_TYPES for p in parts) else None


def find_records(partition: NashaPartition) -> dict[str, list[str]]:
    """The partition's records: name -> the frequencies it holds. "No record" decides what
    a delete restores: the listing is read until consistent
    (:func:`~pulumi_backups.ovh.waiters.consistent`)."""

    def records() -> list[str]:  # other snapshots may come and go meanwhile: not compared
        return [n for n in partition.custom_snapshot_names() if parse_record(n) is not None]

    names = consistent(records, f"the schedule records of {partition}")
    return {name: parse_record(name) or [] for name in names}


def write_record(partition: NashaPartition, frequencies: Sequence[str], deadline: Deadline) -> str:
    """Record ``frequencies`` on the partition and wait until the record is listed; return
    its name. A record of that name being made already (a 409) holds the same schedule."""
    name = record_name(frequencies)
    what = f"schedule record {name} on {partition}"

    def listed() -> bool:
        return partition.find_custom_snapshot(name) is not None

    send = partial(partition.create_custom_snapshot, name, None)
    try:
        task = post_named(send, listed, what, deadline)
    except ConflictError:
        await_listed(listed, True, what, deadline)
        return name
    if task is not None:
        finish(partition, task, listed, True, what, deadline)
    return name


def drop_record(partition: NashaPartition, name: str, deadline: Deadline) -> None:
    """Delete the record ``name`` and wait until it is gone."""

    def listed() -> bool:
        return partition.find_custom_snapshot(name) is not None

    send = partial(partition.delete_custom_snapshot, name)
    delete_named(partition, send, listed, f"schedule record {name} on {partition}", deadline)


def the_record(partition: NashaPartition) -> list[str] | None:
    """The schedule the partition's record holds, or None unless it holds exactly one."""
    records = list(find_records(partition).values())
    return records[0] if len(records) == 1 else None


def uncertain(partition: NashaPartition, why: str) -> BackupsError:
    """The error of an initial schedule that cannot be proven, saying how to declare it."""
    return BackupsError(
        f"the schedule to restore on {partition} is uncertain: {why}; declare it with "
        "restore_frequencies (e.g. restore_frequencies=['day-1']) and run again"
    )


def initial_schedule(
    partition: NashaPartition,
    declared: Sequence[str] | None,
    found: list[str],
    deadline: Deadline,
) -> tuple[list[str], str | None]:
    """The schedule a policy's delete restores, and the record this create wrote (None when
    it wrote none).

    A declared schedule needs no record. A record already there was written by an earlier
    create for this partition (interrupted, or whose policy the state lost): its schedule is
    the one of before, whatever the partition has now. Else the schedule ``found`` is the
    partition's own, recorded before anything changes.
    """
    if declared is not None:
        return list(declared), None
    records = find_records(partition)
    if len(records) > 1:
        raise uncertain(partition, f"it holds several schedule records ({', '.join(records)})")
    if records:
        return next(iter(records.values())), None
    try:
        return found, write_record(partition, found, deadline)
    except BackupsError as err:
        raise uncertain(partition, f"recording [{', '.join(found)}] failed ({err})") from err


def settle_record(
    partition: NashaPartition,
    written: str | None,
    settled: bool,
    error: BackupsError,
    deadline: Deadline,
) -> BackupsError:
    """After a failed create: drop the record it wrote once the schedule is proven back as
    found (see :func:`undo`); else keep it (the next create restores that schedule on
    delete) and name it. Returns the error to raise."""
    if written is None:
        return error
    if not settled:
        return with_note(error, f"record {written} on {partition} keeps the schedule of before")
    try:
        drop_record(partition, written, deadline)
    except BackupsError as failed:
        return with_note(error, f"record {written} on {partition} was left ({failed})")
    return error


def restore_target(
    partition: NashaPartition,
    declared: Sequence[str] | None,
    stored: list[str] | None,
    records: dict[str, list[str]],
) -> list[str] | None:
    """What a policy's delete restores: the ``declared`` schedule, else the record, else the
    one ``stored`` in the state (None: nothing to restore). Several records, or a record and
    a state that disagree, make it uncertain."""
    if declared is not None:
        return list(declared)
    if len(records) > 1:
        raise uncertain(partition, f"it holds several schedule records ({', '.join(records)})")
    if not records:
        return stored
    (name, recorded), *_ = records.items()
    if stored is not None and sorted(stored) != recorded:
        why = f"the state says [{', '.join(stored)}], record {name} says otherwise"
        raise uncertain(partition, why)
    return recorded
