"""``NashaSnapshotPolicy``: the set of automatic snapshot frequencies of a NAS-HA partition.

One resource owns a partition's whole schedule. Create finds the schedule the partition had
before any policy took it over (``initial_frequencies``), then removes and adds frequencies
until the set matches; update applies only the difference; refresh reports the schedule as
it is (a frequency removed or added out of band shows up in the next preview); delete
restores the initial set.

The initial schedule is proven, never guessed: ``restore_frequencies`` when the program
declares it; else the partition's record (:mod:`.nasha.policy_operations`), written before the first
change, so a create interrupted, run again or repeated finds the schedule of before. When
the partition holds several records, or they disagree with the state, the operation fails
and says so, naming ``restore_frequencies``.

Data safety: a frequency is removed only when the program (or the state the last preview
showed) says so: one added out of band and never refreshed into the state is left alone.
Removals go before additions so the schedule never exceeds the service's maximum part-way.
The policy is gone only when its partition's own route says not-found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pulumi
from pydantic import Field, field_validator

from ..core.errors import BackupsError
from ..core.fields import PathSegment
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import DynamicResource
from .client import ovh_client
from .nasha.client import NashaPartition
from .nasha.models import MAX_SNAPSHOT_TYPES
from .nasha.policy_operations import (
    Schedule,
    create_policy,
    delete_policy,
    read_policy,
    update_policy,
)

ID_SHAPE = "{service_name}/{partition_name}"

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


class NashaSnapshotPolicyProvider(BaseProvider[NashaSnapshotPolicyArgs]):
    """CRUD of a partition's snapshot schedule; every change waits for its NAS-HA task."""

    kind = "NashaSnapshotPolicy"
    args_type = NashaSnapshotPolicyArgs
    replace_on_change = frozenset({"service_name", "partition_name"})
    parent_fields = frozenset({"service_name", "partition_name"})

    def describe(self, args: NashaSnapshotPolicyArgs) -> str:
        return f"{self.kind} {join_id(args.service_name, args.partition_name)}"

    def create_resource(self, args: NashaSnapshotPolicyArgs) -> tuple[str, dict[str, Any]]:
        partition = _partition(args.service_name, args.partition_name)
        policy = self.wait_policy(args, "create")
        schedule = create_policy(partition, args.frequencies, args.restore_frequencies, policy)
        return join_id(args.service_name, args.partition_name), _outputs(schedule)

    def read_resource(
        self, id_: str, args: NashaSnapshotPolicyArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        service_name, partition_name = split_id(id_, ID_SHAPE)
        initial = args.restore_frequencies
        if initial is None:
            initial = props.get("initial_frequencies")
        schedule = read_policy(_partition(service_name, partition_name), initial)
        if schedule is None:
            return None
        return {
            "service_name": service_name,
            "partition_name": partition_name,
            **_outputs(schedule),
        }

    def update_resource(
        self, id_: str, olds: dict[str, Any], args: NashaSnapshotPolicyArgs
    ) -> dict[str, Any]:
        partition = _partition(args.service_name, args.partition_name)
        before = _stored(olds)
        declared_before = olds.get("restore_frequencies") is not None
        schedule = update_policy(
            partition, args.frequencies, args.restore_frequencies, before, declared_before,
            self.wait_policy(args, "update"),
        )  # fmt: skip
        return _outputs(schedule)

    def import_inputs(self, id_: str) -> dict[str, Any]:
        """The schedule as it is; the one to restore stays the partition's record (or none)."""
        service_name, partition_name = split_id(id_, ID_SHAPE)
        schedule = read_policy(_partition(service_name, partition_name), None)
        if schedule is None:
            raise BackupsError(f"no partition {partition_name} on {service_name} to import")
        names = {"service_name": service_name, "partition_name": partition_name}
        return {**names, "frequencies": schedule.frequencies}

    def delete_resource(
        self, id_: str, args: NashaSnapshotPolicyArgs, props: dict[str, Any]
    ) -> None:
        service_name, partition_name = split_id(id_, ID_SHAPE)
        partition = _partition(service_name, partition_name)
        stored = _stored(props).initial
        policy = self.wait_policy(args, "delete")
        delete_policy(partition, args.frequencies, args.restore_frequencies, stored, policy)


def _partition(service_name: str, partition_name: str) -> NashaPartition:
    return NashaPartition(ovh_client(), service_name, partition_name)


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def _stored(props: Mapping[str, Any]) -> Schedule:
    """The schedule as the state records it."""
    initial = props.get("initial_frequencies")
    return Schedule(
        _strings(props.get("frequencies")), None if initial is None else _strings(initial)
    )


def _outputs(schedule: Schedule) -> dict[str, Any]:
    return {"frequencies": schedule.frequencies, "initial_frequencies": schedule.initial}


class NashaSnapshotPolicy(DynamicResource, module="ovh", name="NashaSnapshotPolicy"):
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
    initial_frequencies: pulumi.Output[list[str] | None]
    """The schedule the partition had before this resource took it: put back on delete unless
    `restore_frequencies` says otherwise."""

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
        super().__init__(NashaSnapshotPolicyProvider(), resource_name, arguments, opts)
