"""Look-ups of a NAS-HA partition: its custom snapshots (:func:`get_nasha_custom_snapshots`)
and its automatic snapshot frequencies (:func:`get_nasha_snapshot_frequencies`), each with an
``_output`` form in :mod:`pulumi_backups.lookups`; the plugin serves them as
``backups:ovh:getNashaCustomSnapshots`` and ``backups:ovh:getNashaSnapshotFrequencies``.

Listings are read until two in a row agree (:func:`..waiters.consistent`); a snapshot listed
and then not found on its own route is gone (expired in between). A partition that does not
exist is an error, not an empty list.

The API gives no creation date for a custom snapshot (model ``dedicated.nasha.customSnap``:
``name`` and ``expiration`` only) and lists no automatic snapshot: the answers say so instead
of making an age up (``newest_created_at`` and ``newest_age_seconds`` stay null; the
frequencies give the shortest period, which bounds the newest automatic snapshot's age).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ...core.fields import PathSegment
from ...core.lookups import Freshness, newest_first
from ..client import ovh_client
from ..waiters import consistent
from .client import NashaPartition
from .models import SNAPSHOT_TYPES, CustomSnapshot

PERIOD_SECONDS = {"hour-1": 3600, "hour-6": 6 * 3600, "day-1": 86400, "day-2": 2 * 86400}
PERIOD_SECONDS.update({"day-3": 3 * 86400, "day-7": 7 * 86400})
"""Seconds between two automatic snapshots, per frequency."""


class NashaPartitionArgs(BaseModel):
    """The partition a NAS-HA look-up reads."""

    service_name: PathSegment = Field(description="NAS-HA service, e.g. `zpool-123456`.")
    partition_name: PathSegment = Field(description="Partition of the service.")


class GetNashaCustomSnapshotsArgs(NashaPartitionArgs):
    """Inputs of :func:`get_nasha_custom_snapshots`."""


class GetNashaSnapshotFrequenciesArgs(NashaPartitionArgs):
    """Inputs of :func:`get_nasha_snapshot_frequencies`."""


class NashaCustomSnapshots(Freshness):
    """The custom snapshots of a NAS-HA partition, the latest expiration first (the API gives
    no creation date: ``newest_created_at`` and ``newest_age_seconds`` stay null)."""

    service_name: str = Field(description="NAS-HA service.")
    partition_name: str = Field(description="The partition.")
    snapshots: list[CustomSnapshot] = Field(
        description="The snapshots, the latest expiration first (those without one first)."
    )


class NashaSnapshotFrequencies(BaseModel):
    """The automatic snapshot frequencies of a NAS-HA partition, shortest period first."""

    service_name: str = Field(description="NAS-HA service.")
    partition_name: str = Field(description="The partition.")
    frequencies: list[str] = Field(description="`hour-1` ... `day-7`, shortest period first.")
    shortest_period_seconds: int | None = Field(
        default=None,
        description="Seconds between two snapshots of the shortest frequency: the newest "
        "automatic snapshot is at most this old (the API lists none); null when none is "
        "scheduled.",
    )


def _partition(args: NashaPartitionArgs) -> NashaPartition:
    return NashaPartition(ovh_client(), args.service_name, args.partition_name)


def get_nasha_custom_snapshots(service_name: str, partition_name: str) -> NashaCustomSnapshots:
    """The custom snapshots of ``partition_name`` on ``service_name``, the latest expiration
    first (a snapshot without one first: it is kept the longest). Credentials come from the
    usual places (stack config, ``OVH_*`` environment variables, ``ovh.conf``)."""
    args = GetNashaCustomSnapshotsArgs(service_name=service_name, partition_name=partition_name)
    partition = _partition(args)
    names = consistent(partition.custom_snapshot_names, f"the custom snapshots of {partition}")
    found = (partition.find_custom_snapshot(name) for name in names)
    snapshots = newest_first(
        (s for s in found if s is not None),
        lambda s: s.expiration or "9999-12-31T00:00:00Z",
        lambda s: s.name,
    )
    return NashaCustomSnapshots(**args.model_dump(), snapshots=snapshots)


def get_nasha_snapshot_frequencies(
    service_name: str, partition_name: str
) -> NashaSnapshotFrequencies:
    """The frequencies of the automatic snapshots of ``partition_name`` on ``service_name``,
    shortest period first."""
    args = GetNashaSnapshotFrequenciesArgs(service_name=service_name, partition_name=partition_name)
    partition = _partition(args)
    listed = consistent(partition.snapshot_types, f"the snapshot frequencies of {partition}")
    known = [t for t in SNAPSHOT_TYPES if t in listed]
    frequencies = known + sorted(t for t in listed if t not in SNAPSHOT_TYPES)
    periods = [PERIOD_SECONDS[t] for t in known]
    return NashaSnapshotFrequencies(
        **args.model_dump(),
        frequencies=frequencies,
        shortest_period_seconds=min(periods) if periods else None,
    )
