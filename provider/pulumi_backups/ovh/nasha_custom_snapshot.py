"""``NashaCustomSnapshot``: a named, read-only snapshot of a NAS-HA partition.

The API has no update route: any change of service, partition, name or expiration replaces
the snapshot (deleting the old one first when the name stays the same, since two snapshots
cannot share a name). A snapshot that expired or was deleted out of band is gone on refresh.

``expiration`` is an ISO 8601 date or date-time, normalized in ``check``; the output carries
it as the API stores it, and the diff compares the two by meaning (the same day, or the same
instant), so the server's own spelling never causes a replacement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any

import pulumi
from pulumi.dynamic import DiffResult
from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from ..core.errors import BackupsError
from ..core.fields import PathSegment, path_segment, refuse_if_past
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs, is_unknown
from ..core.resource import DynamicResource
from .client import ovh_client
from .nasha.client import NashaPartition
from .nasha.models import CustomSnapshot
from .nasha.snapshot_operations import create_snapshot, delete_snapshot, read_snapshot

ID_SHAPE = "{service_name}/{partition_name}/{name}"
_IDENTITY = ("service_name", "partition_name", "name")

_NAME = re.compile(r"[A-Za-z0-9_.:-]+")
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}:?\d{2})?)?"
)


def snapshot_name(value: str) -> str:
    """A ZFS snapshot name: letters, digits, ``_ . : -``."""
    if not _NAME.fullmatch(value):
        raise ValueError("must be letters, digits, '_', '.', ':' or '-' (a ZFS snapshot name)")
    return value


def parse_expiration(text: str) -> date | datetime:
    """An ISO 8601 date (``2026-06-24``) or date-time (``2026-06-24T12:00:00+02:00``).

    A date-time without an offset is the API's local time. Raises ValueError otherwise.
    """
    match = _ISO.fullmatch(text.strip())
    if not match:
        raise ValueError(
            "must be an ISO 8601 date (2026-06-24) or date-time (2026-06-24T12:00:00+02:00)"
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro,
            tzinfo=_offset(offset),
        )  # fmt: skip
    except ValueError as err:
        raise ValueError(f"is not a valid date: {err}") from None


def _offset(text: str | None) -> timezone | None:
    if text is None:
        return None
    if text in ("Z", "z"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def normalize_expiration(text: str) -> str:
    """The canonical spelling: ``2026-06-24`` or ``2026-06-24T12:00:00+02:00``."""
    return parse_expiration(text).isoformat()


def same_expiration(stored: Any, wanted: Any) -> bool:
    """Whether the API's ``stored`` expiration means the ``wanted`` one.

    A wanted date matches a stored date-time on that day (in the stored value's own offset);
    date-times match when they are the same instant, or the same wall-clock time when either
    has no offset (the API's local time).
    """
    if stored is None or wanted is None:
        return stored is None and wanted is None
    try:
        have, want = parse_expiration(str(stored)), parse_expiration(str(wanted))
    except ValueError:
        return bool(stored == wanted)
    if not isinstance(want, datetime):
        return (have.date() if isinstance(have, datetime) else have) == want
    if not isinstance(have, datetime):
        return False
    if have.tzinfo is None or want.tzinfo is None:
        return have.replace(tzinfo=None) == want.replace(tzinfo=None)
    return have == want


def has_passed(expiration: date | datetime, now: datetime) -> bool:
    """Whether ``expiration`` is over at ``now`` (UTC). A date lasts until the end of that
    day and a date-time without an offset is the API's local time: both are judged with
    the widest offset (UTC-12), so that no date still to come anywhere is refused."""
    if not isinstance(expiration, datetime):
        expiration = datetime.combine(expiration + timedelta(days=1), datetime.min.time())
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=timezone(timedelta(hours=-12)))
    return expiration <= now


SnapshotName = Annotated[str, AfterValidator(snapshot_name), AfterValidator(path_segment)]
Expiration = Annotated[str, AfterValidator(normalize_expiration)]


class NashaCustomSnapshotArgs(ResourceArgs):
    """Inputs of :class:`NashaCustomSnapshot`."""

    service_name: PathSegment = Field(description="NAS-HA service name, e.g. `zpool-000000`.")
    partition_name: PathSegment = Field(description="Partition to snapshot.")
    name: SnapshotName = Field(
        description="Snapshot name, unique in the partition; shows under `.zfs/snapshot/<name>`."
    )
    expiration: Expiration | None = Field(
        default=None,
        description="When the service deletes the snapshot (ISO 8601 date or date-time); "
        "never when unset.",
    )

    @field_validator("expiration")
    @classmethod
    def _expiration_ahead(cls, value: str | None, info: ValidationInfo) -> str | None:
        why = "the API refuses it; give a later date, or none to keep the snapshot"
        return refuse_if_past(value, info, lambda v, now: has_passed(parse_expiration(v), now), why)


class NashaCustomSnapshotProvider(BaseProvider[NashaCustomSnapshotArgs]):
    """Create / read / delete of a custom snapshot; any change of it replaces it."""

    kind = "NashaCustomSnapshot"
    args_type = NashaCustomSnapshotArgs
    replace_on_change = frozenset({*_IDENTITY, "expiration"})
    parent_fields = frozenset({"service_name", "partition_name"})

    def describe(self, args: NashaCustomSnapshotArgs) -> str:
        return f"{self.kind} {join_id(args.service_name, args.partition_name, args.name)}"

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """The base diff, with expirations compared by meaning; a replacement that keeps the
        name deletes the old snapshot first (names are unique)."""
        olds = dict(olds)
        wanted = news.get("expiration")
        if not is_unknown(wanted) and same_expiration(olds.get("expiration"), wanted):
            olds["expiration"] = wanted
        result = super().diff(_id, olds, news)
        same_name = all(olds.get(k) == news.get(k) for k in _IDENTITY)
        result.delete_before_replace = bool(result.replaces) and same_name
        return result

    def create_resource(self, args: NashaCustomSnapshotArgs) -> tuple[str, dict[str, Any]]:
        partition = _partition(args.service_name, args.partition_name)
        policy = self.wait_policy(args, "create")

        def named(snapshot: CustomSnapshot) -> tuple[str, dict[str, Any]]:
            resource_id = join_id(args.service_name, args.partition_name, snapshot.name)
            return resource_id, {"expiration": snapshot.expiration}

        return named(create_snapshot(partition, args.name, args.expiration, policy, named))

    def read_resource(
        self, id_: str, args: NashaCustomSnapshotArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        service_name, partition_name, name = split_id(id_, ID_SHAPE)
        snapshot = read_snapshot(_partition(service_name, partition_name), name)
        if snapshot is None:  # deleted, or expired
            return None
        return {
            "service_name": service_name,
            "partition_name": partition_name,
            "name": snapshot.name,
            "expiration": snapshot.expiration,
        }

    def import_inputs(self, id_: str) -> dict[str, Any]:
        service_name, partition_name, name = split_id(id_, ID_SHAPE)
        snapshot = read_snapshot(_partition(service_name, partition_name), name)
        if snapshot is None:
            raise BackupsError(f"no custom snapshot {name} on {partition_name} to import")
        names = {"service_name": service_name, "partition_name": partition_name, "name": name}
        return {**names, "expiration": snapshot.expiration}

    def delete_resource(
        self, id_: str, args: NashaCustomSnapshotArgs, props: dict[str, Any]
    ) -> None:
        service_name, partition_name, name = split_id(id_, ID_SHAPE)
        partition = _partition(service_name, partition_name)
        delete_snapshot(partition, name, self.wait_policy(args, "delete"))


def _partition(service_name: str, partition_name: str) -> NashaPartition:
    return NashaPartition(ovh_client(), service_name, partition_name)


class NashaCustomSnapshot(DynamicResource, module="ovh", name="NashaCustomSnapshot"):
    """A custom (on-demand) snapshot of a NAS-HA partition, optionally expiring.

    The snapshot is taken when the resource is created and is read-only under
    ``<partition>/.zfs/snapshot/<name>``; the API cannot restore it (copy files back from
    there). Changing any argument replaces the snapshot: the new one holds the data of the
    moment it is taken. Once expired (or deleted out of band), a refresh drops it from the
    state and the next ``up`` takes a new one.

    Example::

        NashaCustomSnapshot(
            "before-migration",
            service_name="zpool-000000",
            partition_name="backups",
            name="before-migration",
            expiration="2026-12-31",
        )
    """

    service_name: pulumi.Output[str]
    partition_name: pulumi.Output[str]
    name: pulumi.Output[str]
    expiration: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        service_name: pulumi.Input[str],
        partition_name: pulumi.Input[str],
        name: pulumi.Input[str],
        expiration: pulumi.Input[str] | None = None,
        timeouts: pulumi.Input[Mapping[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "service_name": service_name,
            "partition_name": partition_name,
            "name": name,
            "expiration": expiration,
            "timeouts": timeouts,
        }
        super().__init__(NashaCustomSnapshotProvider(), resource_name, arguments, opts)
