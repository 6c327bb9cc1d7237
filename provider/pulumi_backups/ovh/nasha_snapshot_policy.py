"""``NashaSnapshotPolicy``: the set of automatic snapshot frequencies of a NAS-HA partition.

One resource owns a partition's whole schedule. Create records the frequencies scheduled
before (``initial_frequencies``), then removes and adds frequencies until the set matches;
update applies only the difference; refresh reports the schedule as it is (a frequency
removed or added out of band shows up in the next preview); delete restores the initial set.

Data safety: a frequency is removed only when the program (or the state the last preview
showed) says so: one added out of band and never refreshed into the state is left alone.
Removals go before additions so the schedule never exceeds the service's maximum part-way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import pulumi
import pulumi.dynamic
from pydantic import Field, field_validator

from ..core.errors import BackupsError, NotFoundError, WaitTimeoutError
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import resource_props, secret_options
from .client import ovh_client
from .nasha import (
    MAX_SNAPSHOT_TYPES,
    SNAPSHOT_TYPES,
    Change,
    Deadline,
    IdPart,
    NashaPartition,
    PartialChangeError,
    annotate,
    apply_changes,
    describe_changes,
    plan_schedule,
)

ID_SHAPE = "{service_name}/{partition_name}"
OUTPUTS = ("initial_frequencies",)

SnapshotType = Literal["hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7"]


class NashaSnapshotPolicyArgs(ResourceArgs):
    """Inputs of :class:`NashaSnapshotPolicy`."""

    service_name: IdPart = Field(description="NAS-HA service name, e.g. `zpool-000000`.")
    partition_name: IdPart = Field(description="Partition whose schedule this resource owns.")
    frequencies: list[SnapshotType] = Field(
        description=(
            "The set of automatic snapshot frequencies (hour-1, hour-6, day-1, day-2, day-3, "
            f"day-7), at most {MAX_SNAPSHOT_TYPES}; order does not matter (stored sorted)."
        )
    )

    @field_validator("frequencies")
    @classmethod
    def _a_set(cls, value: list[str]) -> list[str]:
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
        deadline = Deadline.starting_now(policy, partition.clock)
        initial = _known(partition.snapshot_types())
        changes = plan_schedule(initial, args.frequencies, removable=initial)
        try:
            apply_changes(partition, changes, deadline)
        except PartialChangeError as failure:
            undo_deadline = Deadline.starting_now(policy, partition.clock)
            raise _undo(partition, failure, initial, undo_deadline) from failure.cause
        resource_id = join_id(args.service_name, args.partition_name)
        return resource_id, _outputs(partition.snapshot_types(), initial)

    def read_resource(
        self, id_: str, args: NashaSnapshotPolicyArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        service_name, partition_name = split_id(id_, ID_SHAPE)
        partition = self.partition(service_name, partition_name)
        try:
            current = partition.snapshot_types()
        except NotFoundError:
            return None
        outs = _outputs(current, props.get("initial_frequencies"))
        return {"service_name": service_name, "partition_name": partition_name, **outs}

    def update_resource(
        self, id_: str, olds: dict[str, Any], args: NashaSnapshotPolicyArgs
    ) -> dict[str, Any]:
        partition = self.partition(args.service_name, args.partition_name)
        deadline = Deadline.starting_now(self.wait_policy(args, "update"), partition.clock)
        current = partition.snapshot_types()
        recorded = _strings(olds.get("frequencies"))
        changes = plan_schedule(current, args.frequencies, removable=recorded)
        _apply_or_explain(partition, changes, deadline)
        # Record the set the program asked for, not what the API now lists: a frequency added
        # out of band (and so kept above) must not slip into the state without a refresh,
        # or the next unchanged `up` would remove it without any preview showing why.
        return _outputs(args.frequencies, olds.get("initial_frequencies"))

    def delete_resource(
        self, id_: str, args: NashaSnapshotPolicyArgs, props: dict[str, Any]
    ) -> None:
        initial = props.get("initial_frequencies")
        if initial is None:  # nothing recorded to restore: leave the schedule as it is
            return
        service_name, partition_name = split_id(id_, ID_SHAPE)
        partition = self.partition(service_name, partition_name)
        deadline = Deadline.starting_now(self.wait_policy(args, "delete"), partition.clock)
        try:
            current = partition.snapshot_types()
        except NotFoundError:  # the partition is gone, and its schedule with it
            return
        changes = plan_schedule(current, _strings(initial), removable=args.frequencies)
        _apply_or_explain(partition, changes, deadline)


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def _outputs(current: Iterable[str], initial: Any) -> dict[str, Any]:
    return {
        "frequencies": _known(current),
        "initial_frequencies": None if initial is None else _strings(initial),
    }


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
        raise annotate(failure.cause, note) from failure.cause


def _undo(
    partition: NashaPartition,
    failure: PartialChangeError,
    initial: Sequence[str],
    deadline: Deadline,
) -> BackupsError:
    """After a failed create, put the schedule back as it was; the error says how that went.

    After a timeout nothing is undone: the task still running could land after the undo.
    """
    cause, done = failure.cause, failure.done
    initial_set = f"[{', '.join(initial)}]"
    if not done:
        return cause
    already = f"{describe_changes(done)} before that"
    if isinstance(cause, WaitTimeoutError):
        return annotate(cause, f"{already}; the schedule of {partition} was {initial_set}")
    undo = [Change("add" if c.action == "remove" else "remove", c.snapshot_type) for c in done]
    try:
        apply_changes(partition, undo[::-1], deadline)
    except PartialChangeError as again:
        return annotate(
            cause,
            f"{already}, and undoing it failed ({again.cause}); "
            f"the schedule of {partition} was {initial_set}",
        )
    return annotate(cause, f"{already}, now undone: the schedule of {partition} is {initial_set}")


class NashaSnapshotPolicy(pulumi.dynamic.Resource, module="ovh", name="NashaSnapshotPolicy"):
    """The automatic snapshot schedule of a NAS-HA partition, owned as one set.

    Creating it records the frequencies scheduled before (``initial_frequencies``) and brings
    the schedule to ``frequencies``; destroying it restores the initial set. A partition
    allows at most 4 frequencies (the default schedule plus 3 added).

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
    initial_frequencies: pulumi.Output[list[str]]

    def __init__(
        self,
        resource_name: str,
        *,
        service_name: pulumi.Input[str],
        partition_name: pulumi.Input[str],
        frequencies: pulumi.Input[Sequence[pulumi.Input[str]]],
        timeouts: pulumi.Input[Mapping[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "service_name": service_name,
            "partition_name": partition_name,
            "frequencies": frequencies,
            "timeouts": timeouts,
        }
        super().__init__(
            NashaSnapshotPolicyProvider(),
            resource_name,
            resource_props(arguments, OUTPUTS),
            secret_options(opts, []),
        )
