"""What the sandbox holds against what a stack's state manages, in resource-id terms.

Shared by the reliability tests. `held` maps every object a resource of this package can
create (databases, dumps, custom snapshots, VPS backups, RDB backups) to the id its resource
would carry (a NashaSnapshotPolicy's record of a schedule, a custom snapshot too, is none of
them); `managed` does the same from a state; `differences` then names the objects
held but not managed (duplicates, or leftovers after a destroy) and those managed but no
longer held (lost). `mismatches` compares outputs with the object they claim to describe
(`IDENTITY` fields never change in an object's life); `crossed` applies it to a whole state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx
from support import ResourceState

from pulumi_backups.ovh.nasha.policy_operations import parse_record
from pulumi_backups.sandbox import Sandbox

KINDS = ("HostingDatabase", "HostingDatabaseDump", "NashaCustomSnapshot", "VpsBackup", "RdbBackup")
HISTORY = ("task", "pending")  # records of past operations, not objects
Docs = dict[str, dict[str, Any]]


def settled_objects(api: Sandbox, attempts: int = 50) -> dict[str, Docs]:
    """Every sandbox object, finished OVHcloud tasks applied.

    The OVHcloud emulator applies finished tasks on its next request; with faults on, that
    request may be refused, so it is sent until one gets through.
    """
    for _ in range(attempts):
        if httpx.get(f"{api.url}/1.0/auth/time", timeout=30).status_code == 200:
            return api.objects()
    raise AssertionError(f"{attempts} requests to {api.url} were all refused")


def footprint(api: Sandbox) -> dict[str, Docs]:
    """The sandbox's objects without the services' records of past operations."""
    return {
        kind: docs
        for kind, docs in settled_objects(api).items()
        if docs and not any(word in kind for word in HISTORY)
    }


def held(objects: dict[str, Docs]) -> dict[str, Docs]:
    """Kind -> {resource id: sandbox document} for every object our resources create."""
    found: dict[str, Docs] = {kind: {} for kind in KINDS}
    found["HostingDatabase"] = dict(objects.get("ovh:hosting:database", {}))
    for doc in objects.get("ovh:hosting:dump", {}).values():  # orphans included
        found["HostingDatabaseDump"][f"{doc['service']}/{doc['databaseName']}/{doc['id']}"] = doc
    for doc in objects.get("ovh:nasha:partition", {}).values():
        for name, snap in doc["custom"].items():
            if parse_record(name) is not None:  # a NashaSnapshotPolicy's, not a resource
                continue
            key = f"{doc['service']}/{doc['partitionName']}/{name}"
            found["NashaCustomSnapshot"][key] = {"name": name, **snap}
    for doc in objects.get("vps:backup", {}).values():
        found["VpsBackup"][f"{doc['server']['id']}/{doc['id']}"] = doc
    for doc in objects.get("scaleway:backup", {}).values():
        found["RdbBackup"][f"{doc['region']}/{doc['id']}"] = doc
    return found


def kind_of(res: ResourceState) -> str:
    """`HostingDatabaseDump` out of `pulumi-python:dynamic/ovh:HostingDatabaseDump`."""
    return res.type.rsplit(":", 1)[-1]


def managed(state: Iterable[ResourceState]) -> dict[str, Docs]:
    """Kind -> {resource id: plain outputs} for the live resources of a state."""
    found: dict[str, Docs] = {kind: {} for kind in KINDS}
    for res in state:
        if not res.pending_delete and kind_of(res) in found:
            found[kind_of(res)][res.id] = res.plain_outputs()
    return found


def differences(objects: dict[str, Docs], state: Iterable[ResourceState]) -> dict[str, Any]:
    """`{"duplicates": [...], "lost": [...]}`: objects held but not managed, and the reverse."""
    have, want = held(objects), managed(state)
    duplicates = sorted(f"{k} {i}" for k in KINDS for i in set(have[k]) - set(want[k]))
    lost = sorted(f"{k} {i}" for k in KINDS for i in set(want[k]) - set(have[k]))
    return {"duplicates": duplicates, "lost": lost}


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


IDENTITY = {  # output -> sandbox field, for what never changes in an object's life
    "HostingDatabase": (("name", "name"), ("user", "user"), ("type", "type")),
    "HostingDatabaseDump": (("dump_id", "id"), ("database_name", "databaseName")),
    "NashaCustomSnapshot": (("name", "name"), ("expiration", "expiration")),
    "VpsBackup": (("backup_id", "id"), ("description", "description")),
    "RdbBackup": (("backup_id", "id"), ("database_name", "database_name")),
}
MUTABLE = {"RdbBackup": (("name", "name"),)}


def mismatches(
    kind: str, outputs: dict[str, Any], doc: dict[str, Any], mutable: bool = True
) -> list[tuple[str, Any, Any]]:
    """The `(output, value, sandbox value)` triples on which `outputs` and `doc` disagree:
    identity fields, plus the mutable ones (a rename) when `mutable`."""
    pairs = [*IDENTITY[kind], *(MUTABLE.get(kind, ()) if mutable else ())]
    return [
        (out, outputs.get(out), doc.get(field))
        for out, field in pairs
        if _plain(outputs.get(out)) != _plain(doc.get(field))
    ]


def crossed(objects: dict[str, Docs], state: Iterable[ResourceState]) -> list[str]:
    """Resources whose outputs describe another object than the one their id names."""
    have = held(objects)
    wrong = []
    for kind, resources in managed(state).items():
        for id_, outputs in resources.items():
            doc = have[kind].get(id_)
            if doc is not None and mismatches(kind, outputs, doc):
                wrong.append(f"{kind} {id_}: {mismatches(kind, outputs, doc)}")
    return wrong
