"""``NashaSnapshotPolicy``: the set of automatic snapshot frequencies of a NAS-HA partition.

One resource owns a partition's whole schedule. Create finds the schedule the partition had
before any policy took it over (``initial_frequencies``), then removes and adds frequencies
until the set matches; update applies only the difference; refresh reports the schedule as
it is (a frequency removed or added out of band shows up in the next preview); delete
restores the initial set.

The initial schedule is proven, never guessed: ``restore_frequencies`` when the program
declares it; else the partition's record (:mod:`.nasha_schedule`), written before the first
change, so a create interrupted, run again or repeated finds the schedule of before. When
the partition holds several records, or they disagree with the state, the operation fails
and says so, naming ``restore_frequencies``.

Data safety: a frequency is removed only when the program (or the state the last preview
showed) says so: one added out of band and never refreshed into the state is left alone.
Removals go before additions so the schedule never exceeds the service's maximum part-way.
The policy is gone only when its partition's own route says not-found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import pulumi
import pulumi.dynamic
from pydantic import Field, field_validator

from ..core.errors import NotFoundError, with_note
from ..core.fields import PathSegment
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import resource_props, secret_options
from ..core.waiting import Deadline
from .client import ovh_client
from .nasha import MAX_SNAPSHOT_TYPES, SNAPSHOT_TYPES, NashaPartition
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

ID_SHAPE = "{service_name}/{partition_name}"
OUTPUTS = ("initial_frequencies",)

SnapshotType = Literal["hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7"]


class NashaSnapshotPolicyArgs(ResourceArgs):
    """Inputs of :class:`NashaSnapshotPolicy`."""

    service_name: PathSegment = Field(description="NAS-HA service name, e.g. `zpool-000000`.")
    partition_name: PathSegment = Field(description="Partition whose schedule this resource owns.")
    frequencies: list[SnapshotType] = Field(
        description=(
            "The set of automatic snapshot frequencies (hour-1, hour-6, day-1, day-2, day-3, "
            f"day-7), at most {MAX_SNAPSHOT_TYPES}; order does not matter (stored sorted)."
        )
    )
    restore_frequencies: list[SnapshotType] | None = Field(
        default=None,
        description="The schedule delete puts back, when declared; else the one the partition "
        "had before a policy took it over, kept in a record on the partition.",
    )

    @field_validator("frequencies", "restore_frequencies")
    @classmethod
    def _a_set(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        duplicates = sorted({v for v in value if value.count(v) > 1})
        if duplicates:
            raise ValueError(f"lists {', '.join(duplicates)} more than once: frequencies are a set")
        if len(value) > MAX_SNAPSHOT_TYPES:
            raise ValueError(
                f"has {len(value)} frequencies; the service allows at most {MAX_SNAPSHOT_TYPES} "
                "(the default schedule plus 3 added)"
            )
        return sorted(value)


def _known(types: Iterable[str]) -> list[str]:
    """Sorted, and limited to the frequencies this package knows (the API has the last word)."""
    return sorted(t for t in set(types) if t in SNAPSHOT_TYPES)


class NashaSnapshotPolicyProvider(BaseProvider[NashaSnapshotPolicyArgs]):
    """CRUD of a partition's snapshot schedule; every change waits for its NAS-HA task."""

    kind = "NashaSnapshotPolicy"
    args_type = NashaSnapshotPolicyArgs
    replace_on_change = frozenset({"service_name", "partition_name"})
    parent_fields = frozenset({"service_name", "partition_name"})

    def partition(self, service_name: str, partition_name: str) -> NashaPartition:
        """The partition's API through the shared client (tests substitute theirs)."""
        return NashaPartition(ovh_client(), service_name, partition_name)

    def describe(self, args: NashaSnapshotPolicyArgs) -> str:
        return f"{self.kind} {join_id(args.service_name, args.partition_name)}"

    def create_resource(self, args: NashaSnapshotPolicyArgs) -> tuple[str, dict[str, Any]]:
        partition = self.partition(args.service_name, args.partition_name)
        policy = self.wait_policy(args, "create")
        deadline = Deadline(policy, partition.clock)
        found = _known(partition.snapshot_types())
        initial, written = initial_schedule(partition, args.restore_frequencies, found, deadline)
        changes = plan_schedule(found, args.frequencies, removable=found)
        try:
            apply_changes(partition, changes, deadline)
        except PartialChangeError as failure:
            undo_deadline = Deadline(policy, partition.clock)
            error, settled = undo(partition, failure, found, undo_deadline)
            raise settle_record(partition, written, settled, error, undo_deadline) from error
        resource_id = join_id(args.service_name, args.partition_name)
        return resource_id, _outputs(partition.snapshot_types(), initial)

    def read_resource(
        self, id_: str, args: NashaSnapshotPolicyArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        service_name, partition_name = split_id(id_, ID_SHAPE)
        partition = self.partition(service_name, partition_name)
        current = _schedule_unless_gone(partition)
        if current is None:
            return None
        initial: Sequence[str] | None = args.restore_frequencies
        if initial is None:
            initial = props.get("initial_frequencies")
        if initial is None:  # e.g. read for an import: the record, when there is one
            initial = the_record(partition)
        outs = _outputs(current, initial)
        return {"service_name": service_name, "partition_name": partition_name, **outs}

    def update_resource(
        self, id_: str, olds: dict[str, Any], args: NashaSnapshotPolicyArgs
    ) -> dict[str, Any]:
        partition = self.partition(args.service_name, args.partition_name)
        deadline = Deadline(self.wait_policy(args, "update"), partition.clock)
        current = partition.snapshot_types()
        recorded = _strings(olds.get("frequencies"))
        changes = plan_schedule(current, args.frequencies, removable=recorded)
        _apply_or_explain(partition, changes, deadline)
        initial: Sequence[str] | None = args.restore_frequencies
        if initial is None and olds.get("restore_frequencies") is not None:
            initial = the_record(partition)  # no longer declared: back to the record
        if initial is None:
            initial = olds.get("initial_frequencies")
        # Record the set the program asked for, not what the API now lists: a frequency added
        # out of band (and so kept above) must not slip into the state without a refresh,
        # or the next unchanged `up` would remove it without any preview showing why.
        return _outputs(args.frequencies, initial)

    def delete_resource(
        self, id_: str, args: NashaSnapshotPolicyArgs, props: dict[str, Any]
    ) -> None:
        service_name, partition_name = split_id(id_, ID_SHAPE)
        partition = self.partition(service_name, partition_name)
        deadline = Deadline(self.wait_policy(args, "delete"), partition.clock)
        current = _schedule_unless_gone(partition)
        if current is None:  # the partition is gone, and its schedule with it
            return
        records = find_records(partition)
        stored = props.get("initial_frequencies")
        stored = None if stored is None else _strings(stored)
        initial = restore_target(partition, args.restore_frequencies, stored, records)
        if initial is not None:  # else nothing to restore: the schedule stays as it is
            changes = plan_schedule(current, initial, removable=args.frequencies)
            _apply_or_explain(partition, changes, deadline)
        for name in records:  # once the schedule is back: a retried delete restores again
            drop_record(partition, name, deadline)


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def _outputs(current: Iterable[str], initial: Any) -> dict[str, Any]:
    return {
        "frequencies": _known(current),
        "initial_frequencies": None if initial is None else _strings(initial),
    }


def _schedule_unless_gone(partition: NashaPartition) -> list[str] | None:
    """The partition's frequencies, or None when the partition is gone: a not-found on its
    schedule counts only when the partition's own route says not-found too."""
    try:
        return _known(partition.snapshot_types())
    except NotFoundError as err:
        if partition.exists():
            note = f"yet {partition} exists, so its schedule cannot be missing: not taken as gone"
            raise with_note(err, note) from err
        return None


def _apply_or_explain(
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


class NashaSnapshotPolicy(pulumi.dynamic.Resource, module="ovh", name="NashaSnapshotPolicy"):
    """The automatic snapshot schedule of a NAS-HA partition, owned as one set.

    Creating it records the frequencies scheduled before (``initial_frequencies``, kept on
    the partition as a custom snapshot ``pulumi-backups-initial-schedule.*`` unless
    ``restore_frequencies`` declares them) and brings the schedule to ``frequencies``;
    destroying it restores the initial set. A partition allows at most 4 frequencies (the
    default schedule plus 3 added).

    Example::

        NashaSnapshotPolicy(
            "backups-schedule",
            service_name="zpool-000000",
            partition_name="backups",
            frequencies=["hour-6", "day-1", "day-7"],
        )
    """

    service_name: pulumi.Output[str]
    partition_name: pulumi.Output[str]
    frequencies: pulumi.Output[list[str]]
    restore_frequencies: pulumi.Output[list[str] | None]
    initial_frequencies: pulumi.Output[list[str]]

    def __init__(
        self,
        resource_name: str,
        *,
        service_name: pulumi.Input[str],
        partition_name: pulumi.Input[str],
        frequencies: pulumi.Input[Sequence[pulumi.Input[str]]],
        restore_frequencies: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        timeouts: pulumi.Input[Mapping[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "service_name": service_name,
            "partition_name": partition_name,
            "frequencies": frequencies,
            "restore_frequencies": restore_frequencies,
            "timeouts": timeouts,
        }
        super().__init__(
            NashaSnapshotPolicyProvider(),
            resource_name,
            resource_props(arguments, OUTPUTS),
            secret_options(opts, []),
        )
