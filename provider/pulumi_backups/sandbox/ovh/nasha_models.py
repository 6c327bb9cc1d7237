"""NAS-HA state and rules: services, partitions, snapshot schedules, custom snapshots.

Rules (from the API schema and the NAS-HA snapshot guide):

* a partition has a default snapshot type; at most ``MAX_TYPES`` types in all (the
  default plus 3); any type can be deleted;
* adding an existing type or custom snapshot name is a 409; an unknown type is a 400;
* every change returns a NAS task (``taskId``, ``operation``); it lands when the task
  ends: a type being added is not listed before, one being deleted is listed until then;
* a custom snapshot disappears at its ``expiration``.
"""

from __future__ import annotations

import re
from typing import Any

from ..context import SandboxContext
from ..progress import Doc, Effect, Operation, schedule
from . import params
from .exceptions import BadRequest, Conflict, existing, object_not_found
from .timeline import last_update, ovh_date, parse_date, phase

SERVICE = "ovh:nasha"
PARTITION = "ovh:nasha:partition"
TASK = "ovh:nasha:task"

SNAPSHOT_TYPES = ("day-1", "day-2", "day-3", "day-7", "hour-1", "hour-6")
SNAPSHOT_ENUM = "dedicated.storage.SnapshotEnum"
MAX_TYPES = 4
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
TASK_ID_BASE = 50_000_000
#: The task ``operation`` of each change, in ``dedicated.storage.TaskFunctionEnum``: adding or
#: removing a snapshot type is one ``clusterLeclercSnapshotUpdate`` either way.
OPERATIONS = {
    "nasha:snapshot/create": "clusterLeclercSnapshotUpdate",
    "nasha:snapshot/delete": "clusterLeclercSnapshotUpdate",
    "nasha:customSnapshot/create": "clusterLeclercCustomSnapCreate",
    "nasha:customSnapshot/delete": "clusterLeclercCustomSnapDelete",
}
_VISIBLE = ("active", "deleting")


def service(ctx: SandboxContext, sn: str) -> Doc:
    """The NAS-HA service ``sn`` (404 when unknown)."""
    return existing(ctx.store.get(SERVICE, sn), "serviceName", sn)


def service_names(ctx: SandboxContext) -> list[str]:
    """Every NAS-HA service."""
    return [doc["serviceName"] for doc in ctx.store.list(SERVICE)]


def partition(ctx: SandboxContext, sn: str, name: str) -> Doc:
    """The stored partition (404 when the service or the partition is unknown)."""
    service(ctx, sn)
    return existing(ctx.store.get(PARTITION, f"{sn}/{name}"), "partitionName", name)


def partition_names(ctx: SandboxContext, sn: str) -> list[str]:
    """The partitions of a service."""
    service(ctx, sn)
    return [d["partitionName"] for d in ctx.store.list(PARTITION) if d["service"] == sn]


def partition_view(ctx: SandboxContext, sn: str, name: str) -> Doc:
    """The partition as ``GET .../partition/{name}`` shows it."""
    doc = partition(ctx, sn, name)
    keys = ("partitionName", "partitionDescription", "protocol", "size")
    return {key: doc[key] for key in keys} | {
        "partitionCapacity": doc["capacity"],
        "usedBySnapshots": 0,
    }


def _save(ctx: SandboxContext, doc: Doc) -> None:
    ctx.store.put(PARTITION, f"{doc['service']}/{doc['partitionName']}", doc)


def _start(
    ctx: SandboxContext, now: float, doc: Doc, operation: str, details: str, **target: Any
) -> Doc:
    task_id = TASK_ID_BASE + ctx.store.next_id(TASK)
    task = {
        "taskId": task_id,
        "service": doc["service"],
        "partitionName": doc["partitionName"],
        "details": details,
        "target": target,
    }
    key, progress = f"{doc['service']}/{task_id}", Operation.start(ctx, operation, now)
    return task_view(schedule(ctx, TASK, key, task, progress), now)


def task_view(task: Doc, now: float) -> Doc:
    """The task as ``GET /dedicated/nasha/{sn}/task/{taskId}`` shows it."""
    progress = Operation.of(task)
    status = phase(progress, now)
    return {
        "taskId": task["taskId"],
        "operation": OPERATIONS[progress.operation],
        "status": "customerError" if status == "error" else status,
        "details": task["details"],
        "partitionName": task["partitionName"],
        "storageName": task["service"],
        "todoDate": ovh_date(progress.started),
        "doneDate": ovh_date(progress.ends_at) if status in ("done", "error") else None,
        "lastUpdate": ovh_date(last_update(progress, now)),
    }


def get_task(ctx: SandboxContext, sn: str, task_id: str, now: float) -> Doc:
    """A NAS task (404 when unknown)."""
    service(ctx, sn)
    task = ctx.store.get(TASK, f"{sn}/{task_id}") if task_id.isdigit() else None
    return task_view(existing(task, "taskId", task_id), now)


def _snapshot_type(value: object) -> str:
    return str(
        params.choice({"snapshotType": value}, "snapshotType", SNAPSHOT_TYPES, SNAPSHOT_ENUM)
    )


def snapshot_types(ctx: SandboxContext, sn: str, name: str) -> list[str]:
    """The snapshot types in force on a partition."""
    doc = partition(ctx, sn, name)
    return [kind for kind, state in doc["snapshots"].items() if state in _VISIBLE]


def snapshot(ctx: SandboxContext, sn: str, name: str, kind: str) -> Doc:
    """``{"snapshotType": kind}`` when the type is in force (404 otherwise)."""
    kind = _snapshot_type(kind)
    if kind not in snapshot_types(ctx, sn, name):
        raise object_not_found("snapshotType", kind)
    return {"snapshotType": kind}


def add_snapshot_type(ctx: SandboxContext, now: float, sn: str, name: str, body: Doc) -> Doc:
    """Start adding a snapshot type (409 if present, 400 past ``MAX_TYPES``)."""
    doc = partition(ctx, sn, name)
    kind = _snapshot_type(params.required(body, "snapshotType"))
    if kind in doc["snapshots"]:
        raise Conflict(f"Snapshot type {kind} already exists on partition {name}")
    if len(doc["snapshots"]) >= MAX_TYPES:
        raise BadRequest(f"A partition cannot have more than {MAX_TYPES} snapshot types")
    doc["snapshots"][kind] = "creating"
    _save(ctx, doc)
    details = f"Add snapshot type {kind} to partition {name}"
    return _start(ctx, now, doc, "nasha:snapshot/create", details, snapshotType=kind)


def delete_snapshot_type(ctx: SandboxContext, now: float, sn: str, name: str, kind: str) -> Doc:
    """Start removing a snapshot type."""
    snapshot(ctx, sn, name, kind)
    doc = partition(ctx, sn, name)
    if doc["snapshots"][kind] == "deleting":
        raise Conflict(f"Snapshot type {kind} is already being deleted")
    doc["snapshots"][kind] = "deleting"
    _save(ctx, doc)
    details = f"Remove snapshot type {kind} from partition {name}"
    return _start(ctx, now, doc, "nasha:snapshot/delete", details, snapshotType=kind)


def custom_names(ctx: SandboxContext, sn: str, name: str) -> list[str]:
    """The custom snapshots of a partition."""
    doc = partition(ctx, sn, name)
    return [snap for snap, item in doc["custom"].items() if item["state"] in _VISIBLE]


def custom_snapshot(ctx: SandboxContext, sn: str, name: str, snap: str) -> Doc:
    """``{"name", "expiration"}`` of a custom snapshot (404 when absent)."""
    doc = partition(ctx, sn, name)
    item = doc["custom"].get(snap)
    if item is None or item["state"] not in _VISIBLE:
        raise object_not_found("name", snap)
    return {"name": snap, "expiration": item["expiration"]}


def _expiration(body: Doc, now: float) -> float | None:
    value = params.text(body, "expiration", mandatory=False)
    if value is None:
        return None
    try:
        at = parse_date(value)
    except ValueError:
        raise BadRequest(f"[expiration] Given data ({value}) is not a valid datetime") from None
    if at <= now:
        raise BadRequest(f"[expiration] The expiration date ({value}) is in the past")
    return at


def add_custom_snapshot(ctx: SandboxContext, now: float, sn: str, name: str, body: Doc) -> Doc:
    """Start taking a custom snapshot (409 when the name is taken)."""
    doc = partition(ctx, sn, name)
    snap = str(params.text(body, "name"))
    if not NAME_PATTERN.fullmatch(snap):
        raise BadRequest(f"[name] Invalid snapshot name ({snap})")
    expiration = _expiration(body, now)
    if snap in doc["custom"]:
        raise Conflict(f"Custom snapshot {snap} already exists on partition {name}")
    doc["custom"][snap] = {
        "expiration": ovh_date(expiration),
        "expiresAt": expiration,
        "state": "creating",
    }
    _save(ctx, doc)
    details = f"Take custom snapshot {snap} of partition {name}"
    return _start(ctx, now, doc, "nasha:customSnapshot/create", details, name=snap)


def delete_custom_snapshot(ctx: SandboxContext, now: float, sn: str, name: str, snap: str) -> Doc:
    """Start deleting a custom snapshot."""
    custom_snapshot(ctx, sn, name, snap)
    doc = partition(ctx, sn, name)
    if doc["custom"][snap]["state"] == "deleting":
        raise Conflict(f"Custom snapshot {snap} is already being deleted")
    doc["custom"][snap]["state"] = "deleting"
    _save(ctx, doc)
    details = f"Delete custom snapshot {snap} of partition {name}"
    return _start(ctx, now, doc, "nasha:customSnapshot/delete", details, name=snap)


def _task_partition(ctx: SandboxContext, task: Doc) -> Doc | None:
    return ctx.store.get(PARTITION, f"{task['service']}/{task['partitionName']}")


def _type_changed(ctx: SandboxContext, task: Doc, progress: Operation) -> None:
    """Create ends in ``active`` (or nothing), delete in nothing (or ``active``)."""
    doc = _task_partition(ctx, task)
    kind = task["target"]["snapshotType"]
    if doc is None or kind not in doc["snapshots"]:
        return
    created = progress.operation.endswith("/create")
    if progress.failed != created:
        doc["snapshots"][kind] = "active"
    else:
        del doc["snapshots"][kind]
    _save(ctx, doc)


def _custom_changed(ctx: SandboxContext, task: Doc, progress: Operation) -> None:
    doc = _task_partition(ctx, task)
    snap = task["target"]["name"]
    if doc is None or snap not in doc["custom"]:
        return
    created = progress.operation.endswith("/create")
    if progress.failed != created:
        doc["custom"][snap]["state"] = "active"
    else:
        del doc["custom"][snap]
    _save(ctx, doc)


EFFECTS: dict[str, Effect] = {
    "nasha:snapshot/create": _type_changed,
    "nasha:snapshot/delete": _type_changed,
    "nasha:customSnapshot/create": _custom_changed,
    "nasha:customSnapshot/delete": _custom_changed,
}


def expire_custom_snapshots(ctx: SandboxContext, now: float) -> None:
    """Remove the custom snapshots whose expiration has passed."""
    for doc in ctx.store.list(PARTITION):
        expired = [
            snap
            for snap, item in doc["custom"].items()
            if item["expiresAt"] is not None and float(item["expiresAt"]) <= now
        ]
        for snap in expired:
            del doc["custom"][snap]
        if expired:
            _save(ctx, doc)
