"""Scaleway RDB backups: state and rules, no HTTP.

A backup is stored with the API's 14 keys plus the progress of the operation under way
(:mod:`..progress`). Every request first settles what has ended (:func:`settle`): creating
-> ready (size, updated_at set), exporting -> ready (download_url set), restoring -> ready
(updated_at set), deleting -> gone (404); a "fail" outcome ends in `error`, a "hang" never
ends. A backup whose `expires_at` has passed is deleted, like the real service does.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone
from typing import Any

from ...core.fields import parse_datetime
from ..context import SandboxContext
from ..progress import KEY, Doc, Effect, Operation, schedule, settled_transaction
from ..progress import settle as settle_operations
from ..settings import CREDENTIALS, RDB_INSTANCE_ID
from .exceptions import InvalidArguments, NotFound, PreconditionFailed, TransientState

REGIONS = ("fr-par", "nl-ams", "pl-waw")
TRANSIENT = frozenset({"creating", "restoring", "deleting", "exporting"})
BACKUP = "scaleway:backup"
INSTANCE = "scaleway:instance"
INSTANCE_ID = RDB_INSTANCE_ID
PROJECT_ID = CREDENTIALS["SCW_DEFAULT_PROJECT_ID"]
ORGANIZATION_ID = CREDENTIALS["SCW_DEFAULT_ORGANIZATION_ID"]
FIELDS = (
    "id", "instance_id", "database_name", "name", "status", "size", "expires_at",
    "created_at", "updated_at", "instance_name", "download_url", "download_url_expires_at",
    "same_region", "region",
)  # fmt: skip
ORDERS = {
    f"{field}_{way}": (field, way == "desc")
    for field in ("created_at", "name", "status")
    for way in ("asc", "desc")
}
_OFFSITE = {"fr-par": "nl-ams", "nl-ams": "fr-par", "pl-waw": "fr-par"}


def timestamp(epoch: float) -> str:
    """A server-side date as the API writes it: UTC, microseconds, `Z`."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """An RFC 3339 date with a zone (ValueError otherwise), converted to UTC."""
    parsed = parse_datetime(text)
    if parsed.tzinfo is None or "T" not in text.upper():
        raise ValueError(f"not an RFC 3339 date: {text}")
    return parsed.astimezone(timezone.utc)


def echo_time(text: str) -> str:
    """A client-given date as the API echoes it: UTC, `Z`, fraction only when non-zero."""
    return parse_time(text).isoformat().replace("+00:00", "Z")


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The backup as the API shows it: the 14 keys, in the API's order, nulls explicit."""
    return {key: doc.get(key) for key in FIELDS}


def seed(ctx: SandboxContext) -> None:
    """The seeded instance `sandbox-pg` in fr-par, with databases `app` and `app_restore`."""
    instance = {
        "id": INSTANCE_ID,
        "name": "sandbox-pg",
        "region": "fr-par",
        "project_id": PROJECT_ID,
        "databases": ["app", "app_restore"],
    }
    ctx.store.put(INSTANCE, f"fr-par/{INSTANCE_ID}", instance)


def _size(database_name: str) -> int:
    """A plausible, stable dump size in bytes (recorded small databases: 1253-1335)."""
    return 1200 + sum(database_name.encode()) % 200


def _download_url(doc: dict[str, Any], started: float, lasts: float) -> str:
    stamp = datetime.fromtimestamp(started, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    signature = hashlib.sha256(f"{doc['id']}:{started}".encode()).hexdigest()
    return (
        f"https://s3.{_OFFSITE[doc['region']]}.scw.cloud/sandbox-rdb-backups/"
        f"{doc['instance_id']}/{doc['id']}.custom?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=SANDBOX&X-Amz-Date={stamp}&X-Amz-Expires={lasts:.0f}"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )


def _after(doc: Doc, name: str, progress: Operation, link_seconds: float) -> Doc:
    """The backup once operation `name` ("create", "export"...) has ended, unless deleted;
    an export's link lasts `link_seconds` from its start."""
    done = timestamp(progress.ended)
    doc = {**doc, KEY: None}
    if progress.failed:
        return {**doc, "status": "error", "updated_at": done}
    doc["status"] = "ready"
    if name == "create":
        doc.update(size=_size(doc["database_name"]), updated_at=done)
    elif name == "restore":
        doc["updated_at"] = done
    elif name == "export":
        doc["download_url"] = _download_url(doc, progress.started, link_seconds)
        doc["download_url_expires_at"] = timestamp(progress.started + link_seconds)
    return doc


def _finished(ctx: SandboxContext, doc: Doc, progress: Operation) -> None:
    """Store the backup as its ended operation leaves it: gone after a delete."""
    key, name = f"{doc['region']}/{doc['id']}", progress.operation.rsplit("/", 1)[1]
    if name == "delete" and not progress.failed:
        ctx.store.delete(BACKUP, key)
    else:
        ctx.store.put(BACKUP, key, _after(doc, name, progress, ctx.settings.link_seconds))


EFFECTS: dict[str, Effect] = {
    f"scaleway:backup/{name}": _finished for name in ("create", "export", "restore", "delete")
}
"""Every operation on a backup ends the same way: see `_finished`."""


def _expired(ctx: SandboxContext, doc: Doc, now: float) -> bool:
    """Whether a settled backup's expiry date has passed; if so it is deleted, as the real
    service does."""
    expires = doc["expires_at"]
    if not expires or doc["status"] in TRANSIENT or parse_time(expires).timestamp() > now:
        return False
    ctx.store.delete(BACKUP, f"{doc['region']}/{doc['id']}")
    return True


def _settle_operations(ctx: SandboxContext, now: float) -> None:
    settle_operations(ctx, now, EFFECTS)


def settle(ctx: SandboxContext, now: float) -> None:
    """Apply what time has done by `now`: ended operations, then expiries. A request about
    one backup settles the operations and that backup's expiry only (`RdbBackend`)."""
    _settle_operations(ctx, now)
    for doc in ctx.store.list(BACKUP):
        _expired(ctx, doc, now)


class RdbBackend:
    """Backups and instances of the emulated RDB API, kept in the sandbox store."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    # reading -----------------------------------------------------------------------------
    def instance(self, region: str, instance_id: str) -> dict[str, Any]:
        """The instance, or 404 not_found (resource "instance")."""
        found = self.store.get(INSTANCE, f"{region}/{instance_id}")
        if found is None:
            raise NotFound("instance", instance_id)
        return found

    def _backup(self, region: str, backup_id: str, now: float) -> dict[str, Any]:
        found = self.store.get(BACKUP, f"{region}/{backup_id}")
        if found is None or _expired(self.ctx, found, now):
            raise NotFound("database_backup", backup_id)
        return found

    def get(self, region: str, backup_id: str) -> dict[str, Any]:
        """The backup as of now, or 404 not_found (resource "database_backup")."""
        with settled_transaction(self.ctx, _settle_operations) as now:
            return self._backup(region, backup_id, now)

    def list(
        self, region: str, instance_id: str | None, name: str | None, order_by: str
    ) -> list[dict[str, Any]]:
        """The region's backups as of now, filtered (name: substring) and ordered."""
        with settled_transaction(self.ctx, settle):
            docs = self.store.list(BACKUP)
        found = [
            doc
            for doc in docs
            if doc["region"] == region
            and instance_id in (None, doc["instance_id"])
            and (not name or name in doc["name"])
        ]
        field, descending = ORDERS[order_by]
        return sorted(found, key=lambda doc: doc[field], reverse=descending)

    # operations --------------------------------------------------------------------------
    def _start(self, doc: dict[str, Any], name: str, status: str, now: float) -> dict[str, Any]:
        """Start operation `name` on a backup (outcome drawn from the scripted ones)."""
        progress = Operation.start(self.ctx, f"scaleway:backup/{name}", now)
        key = f"{doc['region']}/{doc['id']}"
        return schedule(self.ctx, BACKUP, key, {**doc, "status": status}, progress)

    def _ready(
        self, region: str, backup_id: str, now: float, usable: bool = False
    ) -> dict[str, Any]:
        """The backup, if it may change now: 409 while transient, 412 if `usable` and in error."""
        doc = self._backup(region, backup_id, now)
        if doc["status"] in TRANSIENT:
            raise TransientState("database_backup", backup_id, doc["status"])
        if usable and doc["status"] != "ready":
            # one of the preconditions Scaleway has: none is specific to an unusable backup
            raise PreconditionFailed("unknown_precondition", f"backup is in {doc['status']} status")
        return doc

    def create(
        self, region: str, instance_id: str, database_name: str, name: str, expires_at: str | None
    ) -> dict[str, Any]:
        """A new backup in `creating`; 404 for an unknown instance or database."""
        with settled_transaction(self.ctx, _settle_operations) as now:
            instance = self.instance(region, instance_id)
            if database_name not in instance["databases"]:
                raise NotFound("database", database_name)
            backup_id = str(uuid.uuid4())
            doc: dict[str, Any] = dict.fromkeys(FIELDS)
            doc.update(
                id=backup_id, instance_id=instance_id, database_name=database_name, name=name,
                expires_at=expires_at, created_at=timestamp(now),
                instance_name=instance["name"], same_region=False, region=region,
            )  # fmt: skip
            return self._start(doc, "create", "creating", now)

    def update(self, region: str, backup_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Rename and/or set a new expiry; an expiry cannot be removed once set (400)."""
        with settled_transaction(self.ctx, _settle_operations) as now:
            doc = self._ready(region, backup_id, now)
            changes = dict(changes)
            if "expires_at" in changes and changes["expires_at"] is None:
                if doc["expires_at"] is not None:
                    raise InvalidArguments(
                        "expires_at", "constraint", "expiration date cannot be removed once set"
                    )
                del changes["expires_at"]
            doc = {**doc, **changes, "updated_at": timestamp(now)}
            self.store.put(BACKUP, f"{region}/{backup_id}", doc)
            return doc

    def delete(self, region: str, backup_id: str) -> dict[str, Any]:
        """Start deleting: `deleting` now, 404 once done."""
        with settled_transaction(self.ctx, _settle_operations) as now:
            return self._start(self._ready(region, backup_id, now), "delete", "deleting", now)

    def export(self, region: str, backup_id: str) -> dict[str, Any]:
        """Start exporting a ready backup: `exporting`, then `ready` with a download URL."""
        with settled_transaction(self.ctx, _settle_operations) as now:
            doc = self._ready(region, backup_id, now, usable=True)
            return self._start(doc, "export", "exporting", now)

    def restore(
        self, region: str, backup_id: str, instance_id: str, database_name: str | None
    ) -> dict[str, Any]:
        """Start restoring into an instance's database (default: the backup's own)."""
        with settled_transaction(self.ctx, _settle_operations) as now:
            doc = self._ready(region, backup_id, now, usable=True)
            target = self.instance(region, instance_id)
            database = database_name or doc["database_name"]
            if database not in target["databases"]:
                raise NotFound("database", database)
            return self._start(doc, "restore", "restoring", now)
