"""Scaleway RDB backups: state and rules, no HTTP.

A backup is stored with the API's 14 keys plus private keys (leading `_`): `_op` is the
operation in progress (`name`, `started`, `done_at`, `outcome`). Statuses move lazily, on
the next read at or after `done_at` (moto style): creating -> ready (size, updated_at set),
exporting -> ready (download_url set), restoring -> ready (updated_at set), deleting ->
gone (404). A "fail" outcome ends in `error`, a "hang" never ends. A backup whose
`expires_at` has passed is deleted, like the real service does.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone
from typing import Any

from ...core.fields import parse_datetime
from ..context import SandboxContext
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
_DOWNLOAD_SECONDS = 86400


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


def _download_url(doc: dict[str, Any], started: float) -> str:
    stamp = datetime.fromtimestamp(started, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    signature = hashlib.sha256(f"{doc['id']}:{started}".encode()).hexdigest()
    return (
        f"https://s3.{_OFFSITE[doc['region']]}.scw.cloud/sandbox-rdb-backups/"
        f"{doc['instance_id']}/{doc['id']}.custom?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=SANDBOX&X-Amz-Date={stamp}&X-Amz-Expires={_DOWNLOAD_SECONDS}"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )


def _finish(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    """The backup once operation `op` is over; None when it no longer exists."""
    done = timestamp(op["done_at"])
    doc = {**doc, "_op": None, "_gone_at": None}
    if op["outcome"] == "fail":
        return {**doc, "status": "error", "updated_at": done}
    if op["name"] == "delete":
        return None
    doc["status"] = "ready"
    if op["name"] == "create":
        doc.update(size=_size(doc["database_name"]), updated_at=done)
    elif op["name"] == "restore":
        doc["updated_at"] = done
    elif op["name"] == "export":
        doc["download_url"] = _download_url(doc, op["started"])
        doc["download_url_expires_at"] = timestamp(op["started"] + _DOWNLOAD_SECONDS)
    return doc


def _expired(doc: dict[str, Any], now: float) -> bool:
    """True once a settled backup's expiry date has passed."""
    expires = doc["expires_at"]
    if not expires or doc["status"] in TRANSIENT:
        return False
    return parse_time(expires).timestamp() <= now


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

    def _settle(self, doc: dict[str, Any], now: float) -> dict[str, Any] | None:
        """Apply what time has done to a stored backup; None when it is gone."""
        key = f"{doc['region']}/{doc['id']}"
        op = doc.get("_op")
        settled: dict[str, Any] | None = doc
        if op and op["outcome"] != "hang" and now >= op["done_at"]:
            settled = _finish(doc, op)
        if settled and _expired(settled, now):
            settled = None
        if settled is None:
            self.store.delete(BACKUP, key)
        elif settled is not doc:
            self.store.put(BACKUP, key, settled)
        return settled

    def get(self, region: str, backup_id: str) -> dict[str, Any]:
        """The backup as of now, or 404 not_found (resource "database_backup")."""
        with self.store.transaction():
            doc = self.store.get(BACKUP, f"{region}/{backup_id}")
            settled = doc and self._settle(doc, self.ctx.clock())
        if not settled:
            raise NotFound("database_backup", backup_id)
        return settled

    def list(
        self, region: str, instance_id: str | None, name: str | None, order_by: str
    ) -> list[dict[str, Any]]:
        """The region's backups as of now, filtered (name: substring) and ordered."""
        now = self.ctx.clock()
        with self.store.transaction():
            docs = [self._settle(doc, now) for doc in self.store.list(BACKUP)]
        found = [
            doc
            for doc in docs
            if doc is not None
            and doc["region"] == region
            and instance_id in (None, doc["instance_id"])
            and (not name or name in doc["name"])
        ]
        field, descending = ORDERS[order_by]
        return sorted(found, key=lambda doc: doc[field], reverse=descending)

    # operations --------------------------------------------------------------------------
    def _start(self, doc: dict[str, Any], name: str, status: str) -> dict[str, Any]:
        """Start operation `name` on a backup (outcome drawn from the scripted ones)."""
        now = self.ctx.clock()
        outcome = self.ctx.take_outcome(f"scaleway:backup/{name}")
        done_at = now + self.ctx.settings.task_seconds
        doc = {**doc, "status": status}
        doc["_op"] = {"name": name, "started": now, "done_at": done_at, "outcome": outcome}
        if name == "delete" and outcome == "ok":
            doc["_gone_at"] = done_at
        self.store.put(BACKUP, f"{doc['region']}/{doc['id']}", doc)
        return doc

    def _ready(self, region: str, backup_id: str, usable: bool = False) -> dict[str, Any]:
        """The backup, if it may change now: 409 while transient, 412 if `usable` and in error."""
        doc = self.get(region, backup_id)
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
        with self.store.transaction():
            instance = self.instance(region, instance_id)
            if database_name not in instance["databases"]:
                raise NotFound("database", database_name)
            backup_id = str(uuid.uuid4())
            doc: dict[str, Any] = dict.fromkeys(FIELDS)
            doc.update(
                id=backup_id, instance_id=instance_id, database_name=database_name, name=name,
                expires_at=expires_at, created_at=timestamp(self.ctx.clock()),
                instance_name=instance["name"], same_region=False, region=region,
            )  # fmt: skip
            return self._start(doc, "create", "creating")

    def update(self, region: str, backup_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Rename and/or set a new expiry; an expiry cannot be removed once set (400)."""
        with self.store.transaction():
            doc = self._ready(region, backup_id)
            changes = dict(changes)
            if "expires_at" in changes and changes["expires_at"] is None:
                if doc["expires_at"] is not None:
                    raise InvalidArguments(
                        "expires_at", "constraint", "expiration date cannot be removed once set"
                    )
                del changes["expires_at"]
            doc = {**doc, **changes, "updated_at": timestamp(self.ctx.clock())}
            self.store.put(BACKUP, f"{region}/{backup_id}", doc)
            return doc

    def delete(self, region: str, backup_id: str) -> dict[str, Any]:
        """Start deleting: `deleting` now, 404 once done."""
        with self.store.transaction():
            return self._start(self._ready(region, backup_id), "delete", "deleting")

    def export(self, region: str, backup_id: str) -> dict[str, Any]:
        """Start exporting a ready backup: `exporting`, then `ready` with a download URL."""
        with self.store.transaction():
            return self._start(self._ready(region, backup_id, usable=True), "export", "exporting")

    def restore(
        self, region: str, backup_id: str, instance_id: str, database_name: str | None
    ) -> dict[str, Any]:
        """Start restoring into an instance's database (default: the backup's own)."""
        with self.store.transaction():
            doc = self._ready(region, backup_id, usable=True)
            target = self.instance(region, instance_id)
            database = database_name or doc["database_name"]
            if database not in target["databases"]:
                raise NotFound("database", database)
            return self._start(doc, "restore", "restoring")
